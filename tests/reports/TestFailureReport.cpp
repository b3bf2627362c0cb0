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
    void periodIsWholeLocalDays();
    void csvOpensInASpreadsheet();
    void pdfWrapsLongTextOnNumberedPages();
    void emptyPdfSaysSo();
    void pdfInTheChosenLanguage_data();
    void pdfInTheChosenLanguage();
    void csvFieldNamesInEveryLanguage();
    void commandLineInTheChosenLanguage();

private:
    // Runs callops with `arguments` and these extra NAME=value variables; the user's language and
    // settings file are left out unless given, so that a developer's own do not change the result.
    int runExport(const QStringList &arguments, QString *output, const QString &timeZone = QString(),
                  const QStringList &environment = {});
    // Exports a PDF named `name` with these options and returns its text (empty on failure).
    QString exportedPdf(const QString &name, const QStringList &options, const QString &timeZone = QString(),
                        const QStringList &environment = {});
    void seed(const QString &sql);
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

int TestFailureReport::runExport(const QStringList &arguments, QString *output, const QString &timeZone,
                                 const QStringList &environment)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("DATABASE_URL", m_database->url());
    if (!timeZone.isEmpty())
        env.insert("TZ", timeZone);
    env.insert("QT_QPA_PLATFORM", "offscreen");
    for (const char *name : {"LC_ALL", "LC_MESSAGES", "LANGUAGE", "CALLOPS_LANG"})
        env.remove(name);
    env.insert("LANG", "C.UTF-8");
    env.insert("XDG_CONFIG_HOME", m_dir.filePath("config"));
    for (const QString &variable : environment)
        env.insert(variable.section('=', 0, 0), variable.section('=', 1));
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
    const QString text = exportedPdf("report.pdf", {"--since", "2026-03-01"});
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

QString TestFailureReport::exportedPdf(const QString &name, const QStringList &options,
                                       const QString &timeZone, const QStringList &environment)
{
    const QString path = m_dir.filePath(name);
    QString output;
    if (runExport(QStringList{"--export-failures", path} + options, &output, timeZone, environment) != 0) {
        qWarning("%s", qPrintable(output));
        return QString();
    }
    QProcess pdftotext;
    pdftotext.start("pdftotext", {"-layout", path, "-"});
    if (!pdftotext.waitForFinished(60000) || pdftotext.exitCode() != 0)
        return QString();
    return QString::fromUtf8(pdftotext.readAllStandardOutput());
}

void TestFailureReport::seed(const QString &sql)
{
    QSqlQuery query(m_database->connection());
    QVERIFY2(query.exec(sql), qPrintable(query.lastError().text()));
}

void TestFailureReport::periodIsWholeLocalDays()
{
    // A dispatcher in New York asking for November wants what failed on New York's November days:
    // not the evening of October 31 (November 1 in UTC), and the evening of November 30.
    seed("INSERT INTO pending_calls (exam_id, employee_name, phone, clinic_name, workflow_state, "
         "failure_reason, failed_at) VALUES "
         "('EX-OCT31', 'Before', '+12127365000', 'Midtown', 'failed', 'x', '2026-11-01 03:30+00'), "
         "('EX-NOV01', 'First', '+12127365000', 'Midtown', 'failed', 'x', '2026-11-01 04:30+00'), "
         "('EX-NOV30', 'Last', '+12127365000', 'Midtown', 'failed', 'x', '2026-12-01 04:30+00'), "
         "('EX-DEC01', 'After', '+12127365000', 'Midtown', 'failed', 'x', '2026-12-01 05:30+00')");
    const QString csvPath = m_dir.filePath("november.csv");
    QString output;
    QCOMPARE(runExport({"--export-failures", csvPath, "--since", "2026-11-01", "--until", "2026-11-30"},
                       &output, "America/New_York"),
             0);
    QFile file(csvPath);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString csv = QString::fromUtf8(file.readAll());
    QVERIFY2(!csv.contains("EX-OCT31") && !csv.contains("EX-DEC01"), qPrintable(csv));
    QVERIFY2(csv.contains("EX-NOV01") && csv.contains("EX-NOV30"), qPrintable(csv));
    // Times in the same zone, with their offset: nothing in a November report reads "December".
    QVERIFY2(csv.contains(",2026-11-30T23:30:00-05:00,"), qPrintable(csv));
    QVERIFY2(csv.contains(",2026-11-01T00:30:00-04:00,"), qPrintable(csv));

    const QString text = exportedPdf("november.pdf", {"--since", "2026-11-01", "--until", "2026-11-30"},
                                     "America/New_York");
    QVERIFY2(text.contains("2026-11-01 to 2026-11-30, whole days in America/New_York"), qPrintable(text));
    QVERIFY2(text.contains("2026-11-30 23:30 EST"), qPrintable(text));
    QVERIFY2(!text.contains("EX-OCT31") && !text.contains("EX-DEC01"), qPrintable(text));
}

void TestFailureReport::csvOpensInASpreadsheet()
{
    seed("INSERT INTO pending_calls (exam_id, employee_name, phone, clinic_name, workflow_state, "
         "failure_reason, failed_at, attempt, retry_count, last_error) VALUES "
         "('EX-ES', 'José Núñez', '2127365000', 'Clínica Señora', 'failed', 'Max retries exceeded', "
         "'2026-05-05 10:00+00', 4, 3, 'no contestó\nsegunda línea')");
    const QString path = m_dir.filePath("may.csv");
    QString output;
    QCOMPARE(runExport({"--export-failures", path, "--since", "2026-05-01"}, &output, "UTC"), 0);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    // Excel reads a CSV without a byte order mark in the system's code page: "JosÃ© NÃºÃ±ez".
    QVERIFY2(bytes.startsWith("\xEF\xBB\xBF"
                              "call_id,"),
             bytes.left(20).toHex().constData());
    const QString csv = QString::fromUtf8(bytes);
    QVERIFY(csv.contains(",José Núñez,"));
    QVERIFY(csv.contains(",Clínica Señora,"));
    // The number as people read it, the attempts made, the error's two lines in one cell.
    QVERIFY2(csv.contains(",(212) 736-5000,"), qPrintable(csv));
    QVERIFY2(csv.contains(",3,4,\"no contestó\nsegunda línea\"\r\n"), qPrintable(csv));
    QVERIFY(csv.contains(",attempts,"));
}

void TestFailureReport::pdfWrapsLongTextOnNumberedPages()
{
    // 120 calls with a long error each: many pages, every one with the table's header and its
    // number, and the end of each error printed, not cut off.
    seed("INSERT INTO pending_calls (exam_id, employee_name, phone, clinic_name, workflow_state, "
         "failure_reason, failed_at, attempt, last_error) "
         "SELECT 'EX-' || lpad(i::text, 4, '0'), 'Ana María Núñez ' || i, '+34915555555', "
         "'Clínica Universitaria de Navarra, sede Madrid', 'failed', "
         "'Error HTTP permanente 422 del servicio pre-classify-call', "
         "'2026-06-01 10:00+00'::timestamptz + i * interval '1 minute', 3, "
         "'El número no existe: la operadora respondió con un mensaje grabado y la llamada se "
         "cortó antes de que contestara nadie, código ' || i || 'FIN' "
         "FROM generate_series(1, 120) AS i");
    const QString text = exportedPdf("june.pdf", {"--since", "2026-06-01"}, "Europe/Madrid");
    QStringList pages = text.split(u'\f');
    if (pages.last().trimmed().isEmpty())
        pages.removeLast();
    QVERIFY2(pages.size() > 3, qPrintable(text));
    for (int i = 0; i < pages.size(); ++i) {
        const QString &page = pages.at(i);
        QVERIFY2(page.contains(QStringLiteral("Page %1 of %2").arg(i + 1).arg(pages.size())),
                 qPrintable(page));
        if (i > 0)
            QVERIFY2(page.contains("Exam") && page.contains("Last error"), qPrintable(page));
    }
    for (int i = 1; i <= 120; ++i)
        QVERIFY2(text.contains(QStringLiteral("%1FIN").arg(i)), qPrintable(QString::number(i)));
    QVERIFY(text.contains("Ana María Núñez 120"));
    QVERIFY(text.contains("+34 915 55 55 55"));
    QVERIFY(text.contains("Failed calls: 120"));
}

void TestFailureReport::emptyPdfSaysSo()
{
    const QString text = exportedPdf("none.pdf", {"--since", "2030-01-01"});
    QVERIFY2(text.contains("No call failed in this period."), qPrintable(text));
    QVERIFY2(!text.contains("Totals per failure reason"), qPrintable(text));
}

// A Spanish dispatcher's report is in Spanish, however the language was chosen: --lang, the
// CALLOPS_LANG variable or the settings file, and the system's locale when none is; --lang wins.
// Read back from the PDF itself, as a person would read it. The headless build (the sanitizer run
// of scripts/test.sh has no console) runs this too: the translation is not the console's.
void TestFailureReport::pdfInTheChosenLanguage_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<bool>("spanish");
    QTest::newRow("--lang es") << QStringList{"--lang", "es"} << QStringList{} << true;
    QTest::newRow("CALLOPS_LANG=es") << QStringList{} << QStringList{"CALLOPS_LANG=es"} << true;
    QTest::newRow("settings file ui/language=es")
            << QStringList{"--config", "es.conf"} << QStringList{} << true;
    QTest::newRow("system locale es_ES") << QStringList{} << QStringList{"LANG=es_ES.UTF-8"} << true;
    QTest::newRow("--lang en over CALLOPS_LANG=es")
            << QStringList{"--lang", "en"} << QStringList{"CALLOPS_LANG=es"} << false;
    QTest::newRow("LANG=C") << QStringList{} << QStringList{"LANG=C"} << false;
}

void TestFailureReport::pdfInTheChosenLanguage()
{
    QFETCH(QStringList, options);
    QFETCH(QStringList, environment);
    QFETCH(bool, spanish);
    const int index = options.indexOf("--config");
    if (index >= 0) {
        QFile file(m_dir.filePath(options.at(index + 1)));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("[ui]\nlanguage=es\n");
        options[index + 1] = file.fileName();
    }
    const QString text
            = exportedPdf("language.pdf", options + QStringList{"--since", "2026-03-01"}, "UTC", environment);
    QVERIFY(!text.isEmpty());
    if (!spanish) {
        QVERIFY2(text.contains("CallOps failure report") && text.contains("Failed calls: 3")
                         && text.contains("Page 1 of "),
                 qPrintable(text.left(2000)));
        return;
    }
    QVERIFY2(text.contains("Informe de fallos de CallOps"), qPrintable(text.left(2000)));
    QVERIFY2(text.contains("Periodo: desde 2026-03-01 hasta ahora, días completos en UTC"),
             qPrintable(text.left(2000)));
    QVERIFY2(text.contains("Llamadas fallidas: 3"), qPrintable(text.left(2000)));
    QVERIFY(text.contains("Totales por motivo de fallo"));
    QVERIFY(text.contains("Motivo de fallo"));
    QVERIFY(text.contains("Último error"));
    QVERIFY(text.contains("Página 1 de "));
    // The calls' own data is not translated: it is what the database holds.
    QVERIFY(text.contains("Max retries exceeded"));
    for (const char *english : {"failure report", "Failed calls", "Totals per failure reason", "Last error",
                                "Page 1 of", "whole days"})
        QVERIFY2(!text.contains(english), english);
}

// The CSV's header row names fields for scripts and spreadsheets' lookups: the same in every
// language, as are its values (states by name, ISO times).
void TestFailureReport::csvFieldNamesInEveryLanguage()
{
    const QString path = m_dir.filePath("es.csv");
    QString output;
    QCOMPARE(runExport({"--export-failures", path, "--since", "2026-03-01", "--lang", "es"}, &output, "UTC"),
             0);
    QVERIFY2(output.contains("Se escribieron 3 llamadas fallidas"), qPrintable(output));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QVERIFY2(bytes.startsWith("\xEF\xBB\xBF"
                              "call_id,exam_id,employee_name,employee_dob,phone,clinic_name,workflow_state,"
                              "failure_reason,failed_at,retry_count,attempts,last_error\r\n"),
             bytes.left(200).constData());
    const QString csv = QString::fromUtf8(bytes);
    QVERIFY(csv.contains(",classification_failed,"));
    QVERIFY2(csv.contains(",2026-03-02T10:00:00"), qPrintable(csv));
}

// The command line's own messages (its errors, --help) follow the same choice.
void TestFailureReport::commandLineInTheChosenLanguage()
{
    QString output;
    QCOMPARE(runExport({"--export-failures", m_dir.filePath("report.txt"), "--lang", "es"}, &output), 2);
    QVERIFY2(output.contains("--export-failures espera un archivo terminado en .csv o .pdf"),
             qPrintable(output));
    QCOMPARE(runExport({"--export-failures", m_dir.filePath("report.pdf"), "--bogus"}, &output, QString(),
                       {"CALLOPS_LANG=es"}),
             2);
    // Qt's own part of the message too ("Unknown option"), from Qt's translations.
    QVERIFY2(output.contains("Opción desconocida") && output.contains("consulte --help"), qPrintable(output));
    QCOMPARE(runExport({"--help"}, &output, QString(), {"CALLOPS_LANG=es"}), 0);
    QVERIFY2(output.contains("Idioma de la consola, los informes"), qPrintable(output));
    QVERIFY2(output.contains("Escribe las llamadas fallidas en"), qPrintable(output));
    QVERIFY2(!output.contains("Write failed calls to"), qPrintable(output));
    // A language we have no translation for is said, and the export goes on in English.
    QCOMPARE(runExport({"--export-failures", m_dir.filePath("report.csv"), "--lang", "fr"}, &output), 0);
    QVERIFY2(output.contains(
                     "No translation for the language \"fr\": English is used (translations: en, es)."),
             qPrintable(output));
    QVERIFY2(output.contains("Wrote"), qPrintable(output));
}

QTEST_GUILESS_MAIN(TestFailureReport)
#include "TestFailureReport.moc"
