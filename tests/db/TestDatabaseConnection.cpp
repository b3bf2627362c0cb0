#include "ClosedPort.h"
#include "TestDatabase.h"
#include "db/ConnectionFailure.h"
#include "db/DatabaseConnection.h"
#include "db/PgHandle.h"

#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>

using namespace callops;
using namespace callops::test;

namespace {

struct CliRun
{
    int exitCode = -1;
    QString stdErr;
    QString stdOut;
};

CliRun runCallops(const QStringList &args,
                  const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment())
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(CALLOPS_BINARY), args);
    if (!process.waitForFinished(60000))
        process.kill();
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardError()),
            QString::fromUtf8(process.readAllStandardOutput())};
}

// The headless scheduler's settings, valid but for what a test gives on the command line; no
// display, so that a mode that would open a window says so instead.
QProcessEnvironment schedulerEnvironment()
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert("SUPABASE_URL", "http://127.0.0.1:1");
    environment.insert("SUPABASE_SERVICE_ROLE_KEY", "sb_secret_0123456789abcdef");
    for (const char *name : {"DATABASE_URL", "DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
        environment.remove(QString::fromLatin1(name));
    return environment;
}

} // namespace

class TestDatabaseConnection : public QObject
{
    Q_OBJECT

private slots:
    void refusedConnectionNamesHostAndPort();
    void wrongPasswordIsNotEchoed();
    void passwordLikeTheUserNameLeavesTheMessageWhole();
    void errorWithoutTextSaysWhatHappened();
    void commandLineErrorsExitWithTwo_data();
    void commandLineErrorsExitWithTwo();
    void unreachableAtSchedulerStartIsTemporary();
    void refusalsAreToldFromOutages_data();
    void refusalsAreToldFromOutages();
    void refusedLoginAtSchedulerStartIsConfiguration();
    void helpAllPrintsHelp();
    void journalLinesCarryTheirPriority();
    void eachThreadHasItsOwnConnection();
    void vanishedServerIsNoticedWithinAMinute();
};

void TestDatabaseConnection::refusedConnectionNamesHostAndPort()
{
    const int port = closedPort();
    const auto settings = ConnectionSettings::parse(
            QStringLiteral("postgresql://ops:hunter2@127.0.0.1:%1/calls?connect_timeout=5").arg(port));
    QVERIFY(settings.ok());
    const auto db = DatabaseConnection::open(*settings, "refused");
    QVERIFY(!db.ok());
    QVERIFY2(db.error().contains(QStringLiteral("127.0.0.1:%1").arg(port)), qPrintable(db.error()));
    QVERIFY2(!db.error().contains("hunter2"), qPrintable(db.error()));
    QVERIFY2(!db.error().contains('\n'), qPrintable(db.error()));
}

void TestDatabaseConnection::wrongPasswordIsNotEchoed()
{
    auto cluster = TestCluster::fromEnvironment();
    QVERIFY2(cluster.ok(), qPrintable(cluster.error()));
    ConnectionSettings settings = cluster->superuser();
    auto wrong = ConnectionSettings::parse(settings.libpqKeywordString() + " password='not-the-Password-42'");
    QVERIFY(wrong.ok());
    const auto db = DatabaseConnection::open(*wrong, "wrong-password");
    QVERIFY(!db.ok());
    QVERIFY2(db.error().contains(settings.endpoint()), qPrintable(db.error()));
    QVERIFY2(db.error().contains("password authentication failed"), qPrintable(db.error()));
    QVERIFY2(!db.error().contains("not-the-Password-42"), qPrintable(db.error()));
}

void TestDatabaseConnection::passwordLikeTheUserNameLeavesTheMessageWhole()
{
    // libpq's message names the user, never the password: nothing of it may be masked.
    auto cluster = TestCluster::fromEnvironment();
    QVERIFY2(cluster.ok(), qPrintable(cluster.error()));
    const ConnectionSettings settings = cluster->superuser();
    auto wrong = ConnectionSettings::parse(settings.libpqKeywordString() + " password='" + settings.user()
                                           + "'");
    QVERIFY(wrong.ok());
    const auto db = DatabaseConnection::open(*wrong, "password-is-user");
    QVERIFY(!db.ok());
    QVERIFY2(db.error().contains(QStringLiteral("for user \"%1\"").arg(settings.user())),
             qPrintable(db.error()));
    QVERIFY2(!db.error().contains(u'*'), qPrintable(db.error()));
}

void TestDatabaseConnection::errorWithoutTextSaysWhatHappened()
{
    // QPSQL gives no text for a session the server closed: the log read "connection lost: starting
    // a transaction: " and nothing more.
    const QString text = DatabaseConnection::describeError(QSqlError());
    QVERIFY2(text.contains("closed the connection"), qPrintable(text));
}

void TestDatabaseConnection::commandLineErrorsExitWithTwo_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("messagePart");
    const QString refused = QStringLiteral("postgresql://ops:hunter2@127.0.0.1:%1/calls").arg(closedPort());
    QTest::newRow("refused") << QStringList{
            "--migrate", "--db",
            refused} << QStringLiteral("127.0.0.1:%1").arg(refused.section(':', 3).section('/', 0, 0));
    QTest::newRow("malformed url") << QStringList{"--migrate", "--db", "postgresql://ops:hunter2@[bad/calls"}
                                   << QStringLiteral("Malformed database URL");
    // An @ in the password: the message says how to write one.
    QTest::newRow("unencoded password")
            << QStringList{"--migrate", "--db", "postgresql://ops:p@ss#1@127.0.0.1:5432/calls"}
            << QStringLiteral("@ as %40");
    QTest::newRow("bad sslmode") << QStringList{"--migrate", "--db",
                                                "postgresql://ops:hunter2@h/d?sslmode=maybe"}
                                 << QStringLiteral("sslmode");
    QTest::newRow("unknown host") << QStringList{"--migrate", "--db",
                                                 "postgresql://ops:hunter2@no-such-host.invalid:5432/d"}
                                  << QStringLiteral("no-such-host.invalid:5432");
    QTest::newRow("no database") << QStringList{"--migrate", "--db", ""}
                                 << QStringLiteral("No database given");
    QTest::newRow("bad batch") << QStringList{"--migrate", "--batch", "-3"} << QStringLiteral("--batch");
    QTest::newRow("unknown option") << QStringList{"--frobnicate"}
                                    << QStringLiteral("'frobnicate'; see --help");
    // --migrate won silently: the demo's user migrated DATABASE_URL's database.
    QTest::newRow("demo and migrate") << QStringList{"--demo", "--migrate", "--db", refused}
                                      << QStringLiteral("--migrate and --demo do not go together");
    QTest::newRow("missing config") << QStringList{"--migrate", "--config", "/nonexistent/callops.conf"}
                                    << QStringLiteral("/nonexistent/callops.conf");
    // Refused before connecting (the database is not reachable here, so a connection would say so).
    QTest::newRow("export extension") << QStringList{"--export-failures", "failures.xlsx", "--db", refused}
                                      << QStringLiteral(".csv or .pdf");
    QTest::newRow("export folder missing")
            << QStringList{"--export-failures", "/nonexistent/failures.csv", "--db", refused}
            << QStringLiteral("the folder does not exist");
    QTest::newRow("migrate transaction pooler")
            << QStringList{"--migrate", "--db",
                           "postgresql://postgres.ref:hunter2@AWS-0-us-east-1.Pooler.Supabase.com:6543/"
                           "postgres"}
            << QStringLiteral("use the session pooler (port 5432) or the direct host");
    QTest::newRow("scheduler transaction pooler")
            << QStringList{"--no-gui", "--db",
                           "postgresql://postgres.ref:hunter2@aws-0-us-east-1.pooler.supabase.com:6543/"
                           "postgres"}
            << QStringLiteral("use the session pooler (port 5432) or the direct host");
}

void TestDatabaseConnection::commandLineErrorsExitWithTwo()
{
    QFETCH(QStringList, args);
    QFETCH(QString, messagePart);
    const CliRun run = runCallops(args, schedulerEnvironment());
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.stdErr.contains(messagePart), qPrintable(run.stdErr));
    QVERIFY2(!run.stdErr.contains("hunter2"), qPrintable(run.stdErr));
    QCOMPARE(run.stdErr.trimmed().count('\n'), 0);
    QVERIFY(run.stdOut.isEmpty());
}

void TestDatabaseConnection::unreachableAtSchedulerStartIsTemporary()
{
    // Exit code 2 stopped systemd's restarts: a server booted during a database outage stayed down.
    const int port = closedPort();
    const CliRun run = runCallops(
            {"--no-gui", "--db", QStringLiteral("postgresql://ops:hunter2@127.0.0.1:%1/calls").arg(port)},
            schedulerEnvironment());
    QCOMPARE(run.exitCode, 75);
    QVERIFY2(run.stdErr.contains(QStringLiteral("127.0.0.1:%1").arg(port)), qPrintable(run.stdErr));
    QVERIFY2(!run.stdErr.contains("hunter2"), qPrintable(run.stdErr));
}

void TestDatabaseConnection::refusalsAreToldFromOutages_data()
{
    QTest::addColumn<QString>("keywords"); // added to the superuser's on the test cluster
    QTest::addColumn<bool>("refusal");
    QTest::newRow("wrong password") << QStringLiteral("password='not-the-Password-42'") << true;
    QTest::newRow("unknown role") << QStringLiteral("user=callops_no_such_role") << true;
    QTest::newRow("unknown database") << QStringLiteral("dbname=callops_no_such_database") << true;
    QTest::newRow("TLS the server lacks") << QStringLiteral("sslmode=require") << true;
    QTest::newRow("nothing listening") << QStringLiteral("port=%1").arg(closedPort()) << false;
    QTest::newRow("unknown host") << QStringLiteral("host=no-such-host.invalid") << false;
}

void TestDatabaseConnection::refusalsAreToldFromOutages()
{
    // Real libpq messages from a real server: a refusal is a configuration to fix, an outage is
    // worth another try.
    QFETCH(QString, keywords);
    QFETCH(bool, refusal);
    auto cluster = TestCluster::fromEnvironment();
    QVERIFY2(cluster.ok(), qPrintable(cluster.error()));
    auto settings = ConnectionSettings::parse(cluster->superuser().libpqKeywordString() + u' ' + keywords
                                              + " connect_timeout=5");
    QVERIFY2(settings.ok(), qPrintable(settings.error()));
    const auto db = DatabaseConnection::open(*settings, "refusal");
    QVERIFY(!db.ok());
    QVERIFY2(ConnectionFailure::isRefusal(db.error()) == refusal, qPrintable(db.error()));
}

void TestDatabaseConnection::refusedLoginAtSchedulerStartIsConfiguration()
{
    // Exit code 75 had systemd log in again every 10 s with the same wrong password, which gets a
    // server's address banned by Supabase's fail2ban.
    auto cluster = TestCluster::fromEnvironment();
    QVERIFY2(cluster.ok(), qPrintable(cluster.error()));
    const ConnectionSettings settings = cluster->superuser();
    const QString url = QStringLiteral("postgresql://%1:not-the-Password-42@%2/postgres")
                                .arg(settings.user(), settings.endpoint());
    const CliRun run = runCallops({"--no-gui", "--db", url}, schedulerEnvironment());
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.stdErr.contains("password authentication failed"), qPrintable(run.stdErr));
    QVERIFY2(run.stdErr.contains("retrying will not help"), qPrintable(run.stdErr));
    QVERIFY2(!run.stdErr.contains("not-the-Password-42"), qPrintable(run.stdErr));
}

void TestDatabaseConnection::helpAllPrintsHelp()
{
    // --help lists --help-all; it started the console (here, without a display, it said so).
    const CliRun run = runCallops({"--help-all"}, schedulerEnvironment());
    QVERIFY2(run.exitCode == 0, qPrintable(run.stdErr));
    QVERIFY2(run.stdOut.contains("--export-failures"), qPrintable(run.stdOut));
    QVERIFY2(run.stdOut.contains("--help-all"), qPrintable(run.stdOut));
}

void TestDatabaseConnection::journalLinesCarryTheirPriority()
{
    // Under systemd stderr is the journal (JOURNAL_STREAM names its device and inode): each line
    // starts with its syslog priority, which journald takes off and keeps; elsewhere with the time.
    QTemporaryDir dir;
    const QString journal = dir.filePath("journal.txt");
    for (const bool underSystemd : {true, false}) {
        TestDatabase database(underSystemd ? "journal" : "terminal"); // fresh: migrations to log
        QVERIFY2(database.isValid(), qPrintable(database.error()));
        QFile::remove(journal);
        QFile(journal).open(QIODevice::WriteOnly);
        struct stat status
        {
        };
        QCOMPARE(::stat(QFile::encodeName(journal).constData(), &status), 0);
        QProcessEnvironment environment = schedulerEnvironment();
        if (underSystemd)
            environment.insert("JOURNAL_STREAM",
                               QStringLiteral("%1:%2").arg(status.st_dev).arg(status.st_ino));
        QProcess process;
        process.setProcessEnvironment(environment);
        process.setStandardErrorFile(journal);
        process.start(QStringLiteral(CALLOPS_BINARY), {"--migrate", "--db", database.url()});
        QVERIFY(process.waitForFinished(60000));
        QCOMPARE(process.exitCode(), 0);
        QFile read(journal);
        QVERIFY(read.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(read.readAll());
        // The migrations' "already exists, skipping" notices are not printed raw.
        QVERIFY2(!text.contains("NOTICE"), qPrintable(text));
        const QString migrationLine = text.split(u'\n').filter("applied migration").value(0);
        QVERIFY2(!migrationLine.isEmpty(), qPrintable(text));
        if (underSystemd)
            QVERIFY2(migrationLine.startsWith("<6>info callops.db: "), qPrintable(migrationLine));
        else
            QVERIFY2(QRegularExpression("^\\d{4}-\\d\\d-\\d\\dT").match(migrationLine).hasMatch(),
                     qPrintable(migrationLine));
    }
}

void TestDatabaseConnection::eachThreadHasItsOwnConnection()
{
    TestDatabase database("threads");
    QVERIFY2(database.isValid(), qPrintable(database.error()));
    const ConnectionSettings settings = database.settings();
    QString mainName;
    {
        auto db = DatabaseConnection::open(settings, "worker");
        QVERIFY(db.ok());
        mainName = db->connectionName();
    }
    QString threadName;
    bool threadQueryOk = false;
    QThread *thread = QThread::create([&] {
        {
            auto db = DatabaseConnection::open(settings, "worker");
            if (db.ok()) {
                threadName = db->connectionName();
                QSqlQuery query(*db);
                threadQueryOk = query.exec("SELECT 1") && query.next() && query.value(0).toInt() == 1;
            }
        }
        DatabaseConnection::close("worker");
    });
    thread->start();
    QVERIFY(thread->wait(30000));
    delete thread;
    QVERIFY(threadQueryOk);
    QVERIFY(!threadName.isEmpty());
    QVERIFY(threadName != mainName);
    // Opening again on this thread returns the same, still open, connection.
    {
        const auto again = DatabaseConnection::open(settings, "worker");
        QCOMPARE(again->connectionName(), mainName);
    }
    DatabaseConnection::close("worker");
}

namespace {

int tcpOption(const QSqlDatabase &db, int option)
{
    int value = -1;
    socklen_t size = sizeof value;
    PGconn *connection = pgHandle(db);
    if (!connection || getsockopt(PQsocket(connection), IPPROTO_TCP, option, &value, &size) != 0)
        return -1;
    return value;
}

} // namespace

void TestDatabaseConnection::vanishedServerIsNoticedWithinAMinute()
{
    auto cluster = TestCluster::fromEnvironment();
    QVERIFY2(cluster.ok(), qPrintable(cluster.error()));
    {
        const auto db = DatabaseConnection::open(cluster->superuser(), "keepalive");
        QVERIFY2(db.ok(), qPrintable(db.error()));
        // Probes after 30 s of silence, every 10 s, three of them; unacknowledged data for 60 s.
        QCOMPARE(tcpOption(*db, TCP_KEEPIDLE), 30);
        QCOMPARE(tcpOption(*db, TCP_KEEPINTVL), 10);
        QCOMPARE(tcpOption(*db, TCP_KEEPCNT), 3);
        QCOMPARE(tcpOption(*db, TCP_USER_TIMEOUT), 60000);
    }
    DatabaseConnection::close("keepalive");
    // What the URL says wins.
    auto settings = ConnectionSettings::parse(cluster->superuser().libpqKeywordString()
                                              + " keepalives_idle=120 tcp_user_timeout=0");
    QVERIFY(settings.ok());
    {
        const auto db = DatabaseConnection::open(*settings, "keepalive-given");
        QVERIFY2(db.ok(), qPrintable(db.error()));
        QCOMPARE(tcpOption(*db, TCP_KEEPIDLE), 120);
        QCOMPARE(tcpOption(*db, TCP_USER_TIMEOUT), 0);
        QCOMPARE(tcpOption(*db, TCP_KEEPCNT), 3);
    }
    DatabaseConnection::close("keepalive-given");
}

QTEST_GUILESS_MAIN(TestDatabaseConnection)
#include "TestDatabaseConnection.moc"
