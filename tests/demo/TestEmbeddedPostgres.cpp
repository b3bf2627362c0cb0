#include "db/DatabaseConnection.h"
#include "demo/EmbeddedPostgres.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/stat.h>
#include <unistd.h>

using namespace callops;

namespace {

int freePort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

bool alive(qint64 pid)
{
    return pid > 0 && ::kill(pid_t(pid), 0) == 0;
}

// Runs SQL on the demo cluster through QPSQL; returns the first value of the first row.
QVariant scalar(const ConnectionSettings &settings, const QString &sql, QString *error = nullptr)
{
    QVariant value;
    {
        const auto db = DatabaseConnection::open(settings, QStringLiteral("test-embedded"));
        if (!db) {
            if (error)
                *error = db.error();
            return {};
        }
        QSqlQuery query(*db);
        if (!query.exec(sql)) {
            if (error)
                *error = query.lastError().text();
        } else if (query.next()) {
            value = query.value(0);
        } else {
            value = QStringLiteral("<no row>");
        }
    }
    DatabaseConnection::close(QStringLiteral("test-embedded"));
    return value;
}

} // namespace

// Starts the real cluster with the machine's PostgreSQL binaries (as the postgres user when the
// tests run as root, as they do in CI).
class TestEmbeddedPostgres : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void missingBinariesNameThePackage();
    void startsAndStops();
    void secondStartKeepsTheData();
    void staleServerOfACrashIsHandled();
    void resetStartsOver();
    void rootNeedsAReachableDirectory();
    void defaultDirectoryAsRoot();

private:
    QTemporaryDir m_temp;
    QString m_directory;
};

void TestEmbeddedPostgres::initTestCase()
{
    QVERIFY(m_temp.isValid());
    // QTemporaryDir is private (0700); as root the postgres user must be able to enter it.
    QVERIFY(::chmod(QFile::encodeName(m_temp.path()).constData(), 0755) == 0);
    m_directory = m_temp.path() + QStringLiteral("/demo-postgres");
    const auto bin = EmbeddedPostgres::findBinDirectory();
    QVERIFY2(bin, qPrintable(bin.error()));
}

void TestEmbeddedPostgres::missingBinariesNameThePackage()
{
    QTemporaryDir empty;
    const auto bin = EmbeddedPostgres::findBinDirectory(empty.path());
    QVERIFY(!bin);
    QVERIFY2(bin.error().contains(QStringLiteral("\"postgresql\"")), qPrintable(bin.error()));
    QVERIFY2(bin.error().contains(empty.path()), qPrintable(bin.error()));
}

void TestEmbeddedPostgres::startsAndStops()
{
    EmbeddedPostgres cluster(m_directory);
    QStringList progress;
    cluster.setProgressCallback([&](const QString &message) { progress.append(message); });
    const auto settings = cluster.start();
    QVERIFY2(settings, qPrintable(settings.error()));
    QVERIFY(cluster.isRunning());
    QVERIFY(cluster.port() > 0);
    QCOMPARE(settings->host(), QStringLiteral("127.0.0.1"));
    QCOMPARE(settings->databaseName(), EmbeddedPostgres::databaseName());
    QVERIFY(!progress.isEmpty());

    QString error;
    QCOMPARE(scalar(*settings, QStringLiteral("SELECT current_setting('listen_addresses')"), &error)
                     .toString(),
             QStringLiteral("127.0.0.1"));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    scalar(*settings, QStringLiteral("CREATE TABLE kept (v text)"), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    scalar(*settings, QStringLiteral("INSERT INTO kept VALUES ('still here')"), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    // The unix socket sits in the data directory, not in /var/run/postgresql.
    QCOMPARE(
            scalar(*settings, QStringLiteral("SELECT current_setting('unix_socket_directories')")).toString(),
            cluster.dataDirectory());
    // A wrong password is refused: authentication is on even on 127.0.0.1.
    auto parsed = ConnectionSettings::parse(
            settings->url().replace(settings->password(), QStringLiteral("nope")));
    QVERIFY(parsed);
    QString refused;
    scalar(*parsed, QStringLiteral("SELECT 1"), &refused);
    QVERIFY2(refused.contains(QStringLiteral("password")), qPrintable(refused));

    const qint64 pid = cluster.serverPid();
    QVERIFY(alive(pid));
    const Status stopped = cluster.stop();
    QVERIFY2(stopped, qPrintable(stopped.error()));
    QVERIFY(!cluster.isRunning());
    QTRY_VERIFY(!alive(pid));
    QVERIFY(!QFile::exists(cluster.dataDirectory() + QStringLiteral("/postmaster.pid")));
    if (EmbeddedPostgres::runsAsPostgresUser()) {
        QCOMPARE(QFileInfo(cluster.dataDirectory()).owner(), QStringLiteral("postgres"));
    }
}

void TestEmbeddedPostgres::secondStartKeepsTheData()
{
    qint64 pid = 0;
    {
        EmbeddedPostgres cluster(m_directory);
        QStringList progress;
        cluster.setProgressCallback([&](const QString &message) { progress.append(message); });
        const auto settings = cluster.start();
        QVERIFY2(settings, qPrintable(settings.error()));
        QVERIFY2(progress.join(u'\n').contains(QStringLiteral("Reusing")), qPrintable(progress.join(u'\n')));
        QString error;
        QCOMPARE(scalar(*settings, QStringLiteral("SELECT v FROM kept"), &error).toString(),
                 QStringLiteral("still here"));
        pid = cluster.serverPid();
        QVERIFY(alive(pid));
        // Destroying the object stops its server.
    }
    QTRY_VERIFY(!alive(pid));
}

void TestEmbeddedPostgres::staleServerOfACrashIsHandled()
{
    const auto bin = EmbeddedPostgres::findBinDirectory();
    QVERIFY(bin);
    const QString data = m_directory + QStringLiteral("/data");

    // 1. A postmaster.pid whose process is gone (a reboot, a SIGKILL of the whole machine).
    {
        QFile pidFile(data + QStringLiteral("/postmaster.pid"));
        QVERIFY(pidFile.open(QIODevice::WriteOnly));
        pidFile.write("999999\n" + QFile::encodeName(data) + "\n1700000000\n5432\n\n\n\n");
    }
    {
        EmbeddedPostgres cluster(m_directory);
        const auto settings = cluster.start();
        QVERIFY2(settings, qPrintable(settings.error()));
        QCOMPARE(scalar(*settings, QStringLiteral("SELECT v FROM kept")).toString(),
                 QStringLiteral("still here"));
    }

    // 2. A postmaster.pid naming a live process that is not this cluster's server (after a
    //    reboot the pid may be anyone's): left alone, the file is stale.
    {
        QFile pidFile(data + QStringLiteral("/postmaster.pid"));
        QVERIFY(pidFile.open(QIODevice::WriteOnly));
        pidFile.write(QByteArray::number(QCoreApplication::applicationPid()) + '\n' + QFile::encodeName(data)
                      + "\n1700000000\n5432\n\n\n\n");
    }
    {
        EmbeddedPostgres cluster(m_directory);
        const auto settings = cluster.start();
        QVERIFY2(settings, qPrintable(settings.error()));
        QVERIFY(cluster.serverPid() != QCoreApplication::applicationPid());
    }

    // 3. A server left running by a run that crashed: started here by hand as that run would have.
    QStringList command{*bin + QStringLiteral("/pg_ctl"),
                        QStringLiteral("start"),
                        QStringLiteral("-D"),
                        data,
                        QStringLiteral("-w"),
                        QStringLiteral("-l"),
                        m_directory + QStringLiteral("/orphan.log"),
                        QStringLiteral("-o"),
                        QStringLiteral("-c listen_addresses=127.0.0.1 -p %1 -c unix_socket_directories=''")
                                .arg(freePort())};
    if (EmbeddedPostgres::runsAsPostgresUser())
        command = QStringList{QStringLiteral("-u"), QStringLiteral("postgres"), QStringLiteral("--")}
                + command;
    QProcess pgctl;
    pgctl.setWorkingDirectory(m_directory);
    pgctl.start(EmbeddedPostgres::runsAsPostgresUser() ? QStringLiteral("runuser") : command.takeFirst(),
                command);
    QVERIFY(pgctl.waitForFinished(90'000));
    QVERIFY2(pgctl.exitCode() == 0, pgctl.readAll().constData());
    EmbeddedPostgres probe(m_directory);
    const qint64 orphan = probe.serverPid();
    QVERIFY(alive(orphan));
    {
        EmbeddedPostgres cluster(m_directory);
        const auto settings = cluster.start();
        QVERIFY2(settings, qPrintable(settings.error()));
        QTRY_VERIFY(!alive(orphan));
        QVERIFY(cluster.serverPid() != orphan);
        QCOMPARE(scalar(*settings, QStringLiteral("SELECT v FROM kept")).toString(),
                 QStringLiteral("still here"));
    }
}

void TestEmbeddedPostgres::resetStartsOver()
{
    EmbeddedPostgres cluster(m_directory);
    const Status reset = cluster.reset();
    QVERIFY2(reset, qPrintable(reset.error()));
    QVERIFY(!QFileInfo::exists(m_directory));
    const auto settings = cluster.start();
    QVERIFY2(settings, qPrintable(settings.error()));
    QString error;
    scalar(*settings, QStringLiteral("SELECT v FROM kept"), &error);
    QVERIFY2(error.contains(QStringLiteral("kept")), qPrintable(error)); // the table is gone
    const qint64 pid = cluster.serverPid();
    QVERIFY(cluster.stop());
    QTRY_VERIFY(!alive(pid));
}

void TestEmbeddedPostgres::rootNeedsAReachableDirectory()
{
    if (!EmbeddedPostgres::runsAsPostgresUser())
        QSKIP("only root runs the cluster as the postgres user");
    QTemporaryDir privateParent; // 0700, owned by root
    QVERIFY(privateParent.isValid());
    EmbeddedPostgres cluster(privateParent.path() + QStringLiteral("/demo-postgres"));
    const auto settings = cluster.start();
    QVERIFY(!settings);
    QVERIFY2(settings.error().contains(QStringLiteral("postgres user")), qPrintable(settings.error()));
    QVERIFY2(settings.error().contains(privateParent.path()), qPrintable(settings.error()));
}

void TestEmbeddedPostgres::defaultDirectoryAsRoot()
{
    const QByteArray saved = qgetenv("XDG_DATA_HOME");
    qputenv("XDG_DATA_HOME", QFile::encodeName(m_temp.path() + QStringLiteral("/xdg")));
    const QString reachable = EmbeddedPostgres::defaultDirectory();
    QVERIFY2(reachable.startsWith(m_temp.path() + QStringLiteral("/xdg/")), qPrintable(reachable));
    QVERIFY(reachable.endsWith(QStringLiteral("/demo-postgres")));

    QTemporaryDir privateHome;
    qputenv("XDG_DATA_HOME", QFile::encodeName(privateHome.path() + QStringLiteral("/share")));
    const QString chosen = EmbeddedPostgres::defaultDirectory();
    if (EmbeddedPostgres::runsAsPostgresUser())
        QCOMPARE(chosen, QStringLiteral("/var/lib/callops-demo"));
    else
        QVERIFY(chosen.startsWith(privateHome.path()));
    if (saved.isNull())
        qunsetenv("XDG_DATA_HOME");
    else
        qputenv("XDG_DATA_HOME", saved);
}

QTEST_GUILESS_MAIN(TestEmbeddedPostgres)
#include "TestEmbeddedPostgres.moc"
