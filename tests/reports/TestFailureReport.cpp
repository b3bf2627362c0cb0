#include "TestDatabase.h"
#include "console/ConsoleRepository.h"
#include "reports/CsvFailureReport.h"
#include "reports/PdfFailureReport.h"

#include <QGuiApplication>
#include <QProcess>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace callops;
using namespace callops::test;

namespace {

// Plain literals: moc does not read raw string literals with quotes inside.
const char *kSeed
        = "INSERT INTO pending_calls (exam_id, employee_name, employee_dob, phone, clinic_name, "
          "workflow_state,\n"
          "                           failure_reason, failed_at, state_changed_at, last_error) VALUES\n"
          "  ('EX-A', 'Ana Lopez', '1980-04-02', '+15552010001', 'North Clinic', 'failed', 'Max retries "
          "exceeded',\n"
          "   '2026-03-02 10:00+00', '2026-03-02 10:00+00', 'no answer'),\n"
          "  ('EX-B', '=HYPERLINK(\"http://evil\",\"x\")', '1975-12-24', '+15552010002', '@South Clinic', "
          "'classification_failed',\n"
          "   '-2+3', '2026-03-03 11:00+00', '2026-03-03 11:00+00', '+cmd|'' /C calc''!A0'),\n"
          "  ('EX-C', 'Carl, \"Junior\" Diaz', '1990-01-15', '+15552010003', 'North Clinic', 'failed', 'Max "
          "retries exceeded',\n"
          "   '2026-03-04 12:00+00', '2026-03-04 12:00+00', 'busy'),\n"
          "  ('EX-OLD', 'Old Call', '1960-06-06', '+15552010004', 'North Clinic', 'failed', 'Invalid phone "
          "number',\n"
          "   '2026-01-10 09:00+00', '2026-01-10 09:00+00', 'invalid'),\n"
          "  ('EX-OK', 'Done Call', '1961-06-06', '+15552010005', 'North Clinic', 'completed', NULL, NULL,\n"
          "   '2026-03-03 09:00+00', NULL),\n"
          "  ('EX-WAIT', 'Waiting Call', '1962-06-06', '+15552010006', 'North Clinic', 'retry_pending', "
          "NULL, NULL,\n"
          "   '2026-03-03 09:00+00', 'busy');\n";

} // namespace

class TestFailureReport : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void cellsAreEscaped_data();
    void cellsAreEscaped();
    void csvFromTheCommandLine();
    void csvMasksDatesOfBirthUnlessAsked();
    void pdfFromTheCommandLine();
    void unwritablePathFails();

private:
    int runExport(const QStringList &arguments, QString *output);
    std::unique_ptr<TestDatabase> m_database;
    QTemporaryDir m_dir;
};

void TestFailureReport::init()
{
    m_database = std::make_unique<TestDatabase>(QString::fromLatin1(QTest::currentTestFunction()));
    QVERIFY2(m_database->isValid(), qPrintable(m_database->error()));
    QVERIFY2(m_database->migrate(), qPrintable(m_database->error()));
    QSqlQuery query(m_database->connection());
    QVERIFY2(query.exec(kSeed), qPrintable(query.lastError().text()));
}

void TestFailureReport::cleanup()
{
    m_database.reset();
}

void TestFailureReport::cellsAreEscaped_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("expected");
    QTest::newRow("plain") << "North Clinic"
                           << "North Clinic";
    QTest::newRow("formula") << "=1+2"
                             << "'=1+2";
    QTest::newRow("plus") << "+15552010001"
                          << "'+15552010001";
    QTest::newRow("minus") << "-2+3"
                           << "'-2+3";
    QTest::newRow("at") << "@SUM(A1)"
                        << "'@SUM(A1)";
    QTest::newRow("tab") << "\t=1"
                         << "'\t=1";
    QTest::newRow("carriage return") << "\r=1"
                                     << "\"'\r=1\"";
    QTest::newRow("comma and quotes") << "Carl, \"Junior\""
                                      << "\"Carl, \"\"Junior\"\"\"";
    QTest::newRow("formula with comma") << "=HYPERLINK(\"a\",\"b\")"
                                        << "\"'=HYPERLINK(\"\"a\"\",\"\"b\"\")\"";
    QTest::newRow("empty") << ""
                           << "";
}

void TestFailureReport::cellsAreEscaped()
{
    QFETCH(QString, value);
    QFETCH(QString, expected);
    QCOMPARE(CsvFailureReport::cell(value), expected);
}

int TestFailureReport::runExport(const QStringList &arguments, QString *output)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("DATABASE_URL", m_database->url());
    env.insert("QT_QPA_PLATFORM", "offscreen");
    process.setProcessEnvironment(env);
    process.start(CALLOPS_BINARY, arguments);
    if (!process.waitForFinished(60000)) {
        process.kill();
        process.waitForFinished();
        return -1;
    }
    if (output)
        *output = QString::fromUtf8(process.readAllStandardOutput() + process.readAllStandardError());
    return process.exitCode();
}

void TestFailureReport::csvFromTheCommandLine()
{
    const QString path = m_dir.filePath("march.csv");
    QString output;
    QCOMPARE(
            runExport({"--export-failures", path, "--since", "2026-03-01", "--until", "2026-03-03"}, &output),
            0);
    QVERIFY2(output.contains("2"), qPrintable(output));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString csv = QString::fromUtf8(file.readAll());
    const QStringList lines = csv.split("\r\n", Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3); // header, EX-A, EX-B (the 4th is after --until, EX-OLD before --since)
    QVERIFY(lines.at(0).startsWith("call_id,exam_id,employee_name,employee_dob"));
    QVERIFY(csv.contains(",EX-A,"));
    QVERIFY(csv.contains(",EX-B,"));
    QVERIFY(!csv.contains("EX-C"));
    QVERIFY(!csv.contains("EX-OLD"));
    QVERIFY(!csv.contains("EX-OK"));
    QVERIFY(!csv.contains("EX-WAIT"));
    // Injection escaped: no cell starts with a formula character.
    QVERIFY(csv.contains("\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\""));
    QVERIFY(csv.contains(",'@South Clinic,"));
    QVERIFY(csv.contains(",'-2+3,"));
    QVERIFY(csv.contains(",'+15552010001,"));
    for (const QString &line : lines) {
        for (const QString &cell : line.split(',')) {
            QVERIFY2(!cell.startsWith('=') && !cell.startsWith('+') && !cell.startsWith('-')
                             && !cell.startsWith('@'),
                     qPrintable(cell));
        }
    }
    // Dates of birth masked.
    QVERIFY(!csv.contains("1980-04-02"));
    QVERIFY(csv.contains("****-**-**"));
}

void TestFailureReport::csvMasksDatesOfBirthUnlessAsked()
{
    ConsoleRepository repository(m_database->connection());
    const auto calls = repository.failures({}, {});
    QVERIFY2(calls, qPrintable(calls.error()));
    QCOMPARE(calls->size(), 4);
    FailureReportOptions options;
    QString csv = QString::fromUtf8(CsvFailureReport::render(*calls, options));
    QVERIFY(!csv.contains("1980-04-02"));
    QVERIFY(!csv.contains("1975-12-24"));
    options.includeDob = true;
    csv = QString::fromUtf8(CsvFailureReport::render(*calls, options));
    QVERIFY(csv.contains("1980-04-02"));
    QVERIFY(csv.contains("\"Carl, \"\"Junior\"\" Diaz\""));
}

void TestFailureReport::pdfFromTheCommandLine()
{
    const QString path = m_dir.filePath("report.pdf");
    QString output;
    QCOMPARE(runExport({"--export-failures", path, "--since", "2026-03-01"}, &output), 0);
    QProcess pdftotext;
    pdftotext.start("pdftotext", {"-layout", path, "-"});
    QVERIFY(pdftotext.waitForFinished(30000));
    QCOMPARE(pdftotext.exitCode(), 0);
    const QString text = QString::fromUtf8(pdftotext.readAllStandardOutput());
    QVERIFY2(text.contains("CallOps failure report"), qPrintable(text));
    QVERIFY2(text.contains("2026-03-01"), qPrintable(text));
    QVERIFY(text.contains("Failed calls: 3"));
    QVERIFY(text.contains("Totals per failure reason"));
    QVERIFY(text.contains("Max retries exceeded"));
    QVERIFY(text.contains("EX-A"));
    QVERIFY(text.contains("EX-B"));
    QVERIFY(text.contains("EX-C"));
    QVERIFY(!text.contains("EX-OLD"));
    QVERIFY(!text.contains("EX-OK"));
    QVERIFY(!text.contains("1980-04-02"));
    // "Max retries exceeded" twice in the table, once in the totals with its count.
    QVERIFY(QRegularExpression("Max retries exceeded\\s+2").match(text).hasMatch());
}

void TestFailureReport::unwritablePathFails()
{
    QString output;
    // Found before anything is read from the database: a usage error, as a bad option is.
    QCOMPARE(runExport({"--export-failures", "/nonexistent-dir/x.csv"}, &output), 2);
    QVERIFY2(output.contains("/nonexistent-dir/x.csv") && output.contains("folder does not exist"),
             qPrintable(output));
}

QTEST_GUILESS_MAIN(TestFailureReport)
#include "TestFailureReport.moc"
