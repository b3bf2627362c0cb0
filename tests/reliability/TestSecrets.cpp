// Secrets and personal data: the real program paths (callops --migrate, callops --no-gui --once),
// failures included and every log category at debug level, never write the database password,
// the service key, an employee's name or date of birth to stdout, stderr or any file they leave
// behind (settings included).
#include "ClosedPort.h"
#include "ContractServer.h"
#include "TestDatabase.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace callops;
using namespace callops::test;

namespace {

const QString kServiceKey = QStringLiteral("sb_secret_Kq9LeakCanaryZ7x3");
const QString kJwtKey = QStringLiteral("eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.LeakCanarySig");
const QString kName = QStringLiteral("Philippa Quarrington");
const QString kDob = QStringLiteral("1958-02-27");
// The date of birth as it may be written elsewhere too.
const QStringList kDobForms{kDob, QStringLiteral("02/27/1958"), QStringLiteral("27.02.1958"),
                            QStringLiteral("27/02/1958"), QStringLiteral("Feb 27 1958")};

} // namespace

class TestSecrets : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void migrate_data();
    void migrate();
    void headlessPass_data();
    void headlessPass();
    void exportFailures_data();
    void exportFailures();

private:
    struct Outputs
    {
        int exitCode = -1;
        QByteArray everything; // stdout, stderr and every file written under the home directory
        QString stdErr;
        QByteArray pdfText;
        QStringList files;
    };
    Outputs runCallops(const QStringList &args, const QProcessEnvironment &extra, bool pumpEvents = false);
    void verifyClean(const Outputs &outputs, const QStringList &secrets);

    std::unique_ptr<TestDatabase> m_db;
    QString m_password;
};

void TestSecrets::initTestCase()
{
    m_db = std::make_unique<TestDatabase>("secrets");
    QVERIFY2(m_db->isValid() && m_db->migrate(), qPrintable(m_db->error()));
    m_password = m_db->settings().password();
    QVERIFY(m_password.size() >= 8);
}

TestSecrets::Outputs TestSecrets::runCallops(const QStringList &args, const QProcessEnvironment &extra,
                                             bool pumpEvents)
{
    QTemporaryDir home;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    // Settings files go under this home, so they can be read back.
    env.insert("HOME", home.path());
    env.insert("XDG_CONFIG_HOME", home.filePath(".config"));
    env.insert("XDG_DATA_HOME", home.filePath(".local/share"));
    env.insert("XDG_CACHE_HOME", home.filePath(".cache"));
    env.insert("QT_LOGGING_RULES", "callops.*=true"); // every category, debug included
    env.remove("DATABASE_URL");
    env.remove("SUPABASE_SERVICE_ROLE_KEY");
    for (const QString &key : extra.keys())
        env.insert(key, extra.value(key));
    QProcess process;
    process.setProcessEnvironment(env);
    process.setWorkingDirectory(home.path());
    process.start(QStringLiteral(CALLOPS_BINARY), args);
    Outputs outputs;
    if (!process.waitForStarted(10000))
        return outputs;
    if (pumpEvents) {
        // The contract server answers on this thread.
        QElapsedTimer timer;
        timer.start();
        while (process.state() != QProcess::NotRunning && timer.elapsed() < 90000)
            QTest::qWait(50);
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished();
        }
    } else if (!process.waitForFinished(90000)) {
        process.kill();
        process.waitForFinished();
    }
    outputs.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    const QByteArray out = process.readAllStandardOutput();
    const QByteArray err = process.readAllStandardError();
    outputs.stdErr = QString::fromUtf8(err);
    outputs.everything = out + '\n' + err;
    QDirIterator files(home.path(), QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot,
                       QDirIterator::Subdirectories);
    while (files.hasNext()) {
        QFile file(files.next());
        if (file.open(QIODevice::ReadOnly))
            outputs.everything += '\n' + file.fileName().toUtf8() + ":\n" + file.readAll();
        if (file.fileName().endsWith(".pdf")) {
            // PDF text is compressed: read it as text too.
            QProcess text;
            text.start("pdftotext", {file.fileName(), "-"});
            text.waitForFinished(30000);
            outputs.pdfText += text.readAllStandardOutput();
            outputs.everything += '\n' + outputs.pdfText;
        }
        outputs.files << QFileInfo(file).fileName();
    }
    return outputs;
}

void TestSecrets::verifyClean(const Outputs &outputs, const QStringList &secrets)
{
    for (const QString &secret : secrets) {
        QVERIFY2(!outputs.everything.contains(secret.toUtf8()),
                 qPrintable(QStringLiteral("\"%1\" leaked in: %2")
                                    .arg(secret, QString::fromUtf8(outputs.everything))));
        // Percent-encoded, as a URL would carry it.
        QVERIFY(!outputs.everything.contains(QUrl::toPercentEncoding(secret)));
    }
}

void TestSecrets::migrate_data()
{
    QTest::addColumn<QString>("database");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("secret");
    const ConnectionSettings s = m_db->settings();
    const QString good = s.url();
    QTest::newRow("success") << good << 0 << m_password;
    QTest::newRow("success, keyword string") << s.libpqKeywordString() << 0 << m_password;
    QTest::newRow("wrong password") << QStringLiteral("postgresql://postgres:Wr0ngPassCanary4@%1:%2/%3")
                                               .arg(s.host())
                                               .arg(s.port())
                                               .arg(s.databaseName())
                                    << 2 << "Wr0ngPassCanary4";
    QTest::newRow("refused")
            << QStringLiteral("postgresql://ops:%1@127.0.0.1:%2/calls").arg(m_password).arg(closedPort()) << 2
            << m_password;
    QTest::newRow("no such database") << QStringLiteral("postgresql://postgres:%1@%2:%3/no_such_db_x")
                                                 .arg(m_password, s.host())
                                                 .arg(s.port())
                                      << 2 << m_password;
    QTest::newRow("bad sslmode") << QStringLiteral("postgresql://postgres:%1@%2:%3/d?sslmode=%1")
                                            .arg(m_password, s.host())
                                            .arg(s.port())
                                 << 2 << m_password;
    QTest::newRow("glued keyword")
            << QStringLiteral("host=%1 port=%2password=%3").arg(s.host()).arg(s.port()).arg(m_password) << 2
            << m_password;
    QTest::newRow("unknown host")
            << QStringLiteral("postgresql://postgres:%1@no-such-host.invalid/d").arg(m_password) << 2
            << m_password;
}

void TestSecrets::migrate()
{
    QFETCH(QString, database);
    QFETCH(int, exitCode);
    QFETCH(QString, secret);
    // Through the command line, the environment, and a settings file the program is given.
    {
        const Outputs outputs = runCallops({"--migrate", "--db", database}, {});
        QCOMPARE(outputs.exitCode, exitCode);
        verifyClean(outputs, {secret});
    }
    {
        QProcessEnvironment env;
        env.insert("DATABASE_URL", database);
        const Outputs outputs = runCallops({"--migrate"}, env);
        QCOMPARE(outputs.exitCode, exitCode);
        verifyClean(outputs, {secret});
    }
}

void TestSecrets::headlessPass_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("key");
    QTest::newRow("accepted, sb_secret key") << 202 << kServiceKey;
    QTest::newRow("accepted, JWT key") << 202 << kJwtKey;
    QTest::newRow("server error") << 500 << kServiceKey;
    QTest::newRow("unauthorised") << 401 << kServiceKey;
    QTest::newRow("unreachable") << 0 << kServiceKey;
}

void TestSecrets::headlessPass()
{
    QFETCH(int, status);
    QFETCH(QString, key);
    QSqlDatabase db = m_db->connection();
    QSqlQuery query(db);
    QVERIFY(query.exec("DELETE FROM pending_calls"));
    // A call ready to go, one needing classification, and one with a broken number: every path
    // that logs about a row.
    QVERIFY(query.prepare(
            "INSERT INTO pending_calls (exam_id, employee_name, employee_dob, phone, workflow_state, "
            "next_action_at) VALUES ('EX-S1', :name, :dob, '+1 212-736-5010', 'ready_to_call', now()), "
            "('EX-S2', :name, :dob, '+1 212-736-5011', 'new', now()), "
            "('EX-S3', :name, :dob, 'call ' || :name, 'new', now())"));
    query.bindValue(":name", kName);
    query.bindValue(":dob", QDate::fromString(kDob, Qt::ISODate));
    QVERIFY2(query.exec(), qPrintable(query.lastError().text()));

    ContractServer server;
    server.setDefaultStatus(status == 0 ? 202 : status);
    QProcessEnvironment env;
    env.insert("DATABASE_URL", m_db->url());
    env.insert("SUPABASE_URL",
               status == 0 ? QStringLiteral("http://127.0.0.1:%1").arg(closedPort())
                           : server.baseUrl().toString());
    env.insert("SUPABASE_SERVICE_ROLE_KEY", key);
    env.insert("CALLOPS_CALLING_HOURS", "mon-sun 00:00-24:00");
    env.insert("CALLOPS_HTTP_TIMEOUT", "2");
    const Outputs outputs = runCallops({"--no-gui", "--once", "--calls-per-second", "0"}, env, true);
    QVERIFY2(outputs.exitCode == 0, qPrintable(outputs.stdErr));
    if (status != 0)
        QVERIFY(!server.received().isEmpty()); // the key was really used
    QStringList secrets{key, m_password, kName};
    secrets += kDobForms;
    verifyClean(outputs, secrets);
    // The run did log about the rows (so the checks above had something to look at).
    QVERIFY2(outputs.stdErr.count('\n') >= 3, qPrintable(outputs.stdErr));
    qInfo("%lld bytes of output checked", qint64(outputs.everything.size()));
}

void TestSecrets::exportFailures_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("csv") << "report.csv";
    QTest::newRow("pdf") << "report.pdf";
}

void TestSecrets::exportFailures()
{
    QFETCH(QString, file);
    QSqlQuery query(m_db->connection());
    QVERIFY(query.exec("DELETE FROM pending_calls"));
    QVERIFY(query.prepare(
            "INSERT INTO pending_calls (exam_id, employee_name, employee_dob, phone, clinic_name, "
            "workflow_state, failed_at, failure_reason) VALUES ('EX-F1', :name, :dob, '+1 212-736-5050', "
            "'Clinic Leakcheck', 'failed', now(), 'Max retries exceeded')"));
    query.bindValue(":name", kName);
    query.bindValue(":dob", QDate::fromString(kDob, Qt::ISODate));
    QVERIFY2(query.exec(), qPrintable(query.lastError().text()));
    QProcessEnvironment env;
    env.insert("DATABASE_URL", m_db->url());
    env.insert("SUPABASE_SERVICE_ROLE_KEY", kServiceKey);
    const Outputs outputs = runCallops({"--export-failures", file}, env);
    QVERIFY2(outputs.exitCode == 0, qPrintable(outputs.stdErr));
    QVERIFY2(outputs.files.contains(file), qPrintable(outputs.files.join(", ")));
    // The report was written and is about the call (so the checks look at real content)...
    QVERIFY2(outputs.everything.contains("EX-F1"), outputs.everything.constData());
    // ...without the date of birth (not asked for), the password or the key.
    QStringList secrets{kServiceKey, m_password};
    secrets += kDobForms;
    verifyClean(outputs, secrets);
    // The name belongs in a report for dispatchers, but never in what the program prints.
    QVERIFY(!outputs.stdErr.contains(kName));
}

QTEST_GUILESS_MAIN(TestSecrets)
#include "TestSecrets.moc"
