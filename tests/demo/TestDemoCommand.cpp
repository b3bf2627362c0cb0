#include "db/DatabaseConnection.h"
#include "demo/EmbeddedPostgres.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/stat.h>

using namespace callops;

namespace {

// The counts of one "pass: ... | new 80, ..., failed 12" line.
QMap<QString, int> countsOf(const QString &line)
{
    QMap<QString, int> counts;
    const qsizetype bar = line.indexOf(u'|');
    if (bar < 0)
        return counts;
    static const QRegularExpression pair(QStringLiteral("([a-z_]+) (\\d+)"));
    auto it = pair.globalMatch(line.mid(bar + 1));
    while (it.hasNext()) {
        const auto match = it.next();
        counts.insert(match.captured(1), match.captured(2).toInt());
    }
    return counts;
}

// SIGTERM to the child only (never kill(0, ...), which would hit our own process group).
void terminate(const QProcess &process)
{
    const qint64 pid = process.processId();
    if (pid > 0)
        ::kill(pid_t(pid), SIGTERM);
}

} // namespace

// `callops --demo --no-gui` as a user runs it: its own cluster in the (temporary) user data
// directory, the simulator and the engine; after a while SIGTERM. The database must then show
// calls the engine and the simulator moved to completed, retry_pending and failed.
class TestDemoCommand : public QObject
{
    Q_OBJECT

private slots:
    void headlessDemoMovesCallsAndStopsOnSigterm();
    void windowedDemoStartsOffTheGuiThreadAndStopsOnSigterm();
    void resetStartsOver();
};

void TestDemoCommand::headlessDemoMovesCallsAndStopsOnSigterm()
{
    QTemporaryDir temp;
    QVERIFY(temp.isValid());
    // As root the cluster runs as the postgres user, who must be able to enter the directory.
    QVERIFY(::chmod(QFile::encodeName(temp.path()).constData(), 0755) == 0);

    QProcess demo;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("XDG_DATA_HOME"), temp.path() + QStringLiteral("/xdg"));
    environment.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*.debug=false"));
    demo.setProcessEnvironment(environment);
    demo.setProcessChannelMode(QProcess::MergedChannels);
    demo.start(QStringLiteral(CALLOPS_BINARY), {QStringLiteral("--demo"), QStringLiteral("--no-gui")});
    QVERIFY2(demo.waitForStarted(), qPrintable(demo.errorString()));

    QString log;
    QString directory;
    QMap<QString, int> first;
    QMap<QString, int> last;
    QDeadlineTimer deadline(150'000);
    QDeadlineTimer afterFirstPass;
    while (!deadline.hasExpired() && demo.state() == QProcess::Running) {
        demo.waitForReadyRead(500);
        log += QString::fromLocal8Bit(demo.readAll());
        static const QRegularExpression dataIn(QStringLiteral("\\(data in ([^)]+)\\)"));
        if (const auto match = dataIn.match(log); match.hasMatch())
            directory = match.captured(1);
        const QStringList passes = log.split(u'\n').filter(QStringLiteral("pass: "));
        if (passes.isEmpty())
            continue;
        if (first.isEmpty()) {
            first = countsOf(passes.constFirst());
            afterFirstPass = QDeadlineTimer(60'000);
        }
        last = countsOf(passes.constLast());
        // Enough to see: calls completed and failed beyond the seeded ones, and time for task calls
        // to have failed and come back. Then stop early rather than wait the full minute.
        if ((last.value(QStringLiteral("completed")) > first.value(QStringLiteral("completed")) + 10
             && last.value(QStringLiteral("failed")) > first.value(QStringLiteral("failed")))
            || afterFirstPass.hasExpired())
            break;
    }
    QVERIFY2(demo.state() == QProcess::Running, qPrintable(log.right(3000)));
    QVERIFY2(!first.isEmpty(), qPrintable(log.right(3000)));
    QVERIFY2(!directory.isEmpty(), qPrintable(log.left(3000)));
    QVERIFY2(directory.startsWith(temp.path()), qPrintable(directory)); // never the real user's demo

    terminate(demo);
    QVERIFY2(demo.waitForFinished(60'000), qPrintable(log.right(3000)));
    log += QString::fromLocal8Bit(demo.readAll());
    QCOMPARE(demo.exitStatus(), QProcess::NormalExit);
    QVERIFY2(demo.exitCode() == 0, qPrintable(log.right(3000)));
    QVERIFY2(log.contains(QStringLiteral("Stopping the demo PostgreSQL")), qPrintable(log.right(3000)));
    // The cluster went down with the program.
    QVERIFY(!QFile::exists(directory + QStringLiteral("/data/postmaster.pid")));

    // Look at what happened, on the same (kept) cluster.
    EmbeddedPostgres cluster(directory);
    const auto settings = cluster.start();
    QVERIFY2(settings, qPrintable(settings.error()));
    QMap<QString, int> moved;
    {
        const auto db = DatabaseConnection::open(*settings, QStringLiteral("check"));
        QVERIFY2(db, qPrintable(db.error()));
        QSqlQuery query(*db);
        QVERIFY2(query.exec(
                         QStringLiteral("SELECT to_state, count(*) FROM workflow_events WHERE NOT (detail ? "
                                        "'seeded') GROUP BY 1")),
                 qPrintable(query.lastError().text()));
        while (query.next())
            moved.insert(query.value(0).toString(), query.value(1).toInt());
        QVERIFY(query.exec(QStringLiteral("SELECT count(*) FROM pending_calls")));
        QVERIFY(query.next());
        QVERIFY(query.value(0).toInt() >= 180);
    }
    DatabaseConnection::close(QStringLiteral("check"));
    QStringList seen;
    for (auto it = moved.cbegin(); it != moved.cend(); ++it)
        seen.append(QStringLiteral("%1=%2").arg(it.key()).arg(it.value()));
    qInfo("moved by the engine and the simulator: %s", qPrintable(seen.join(u' ')));
    for (const char *state : {"completed", "retry_pending", "failed", "calling", "classifying"})
        QVERIFY2(moved.value(QString::fromLatin1(state)) > 0, state);
    QVERIFY(cluster.stop());
}

// With a window (offscreen here): the cluster starts behind a progress dialog, the services come
// up, and SIGTERM closes everything, cluster included.
void TestDemoCommand::windowedDemoStartsOffTheGuiThreadAndStopsOnSigterm()
{
    QTemporaryDir temp;
    QVERIFY(temp.isValid());
    QVERIFY(::chmod(QFile::encodeName(temp.path()).constData(), 0755) == 0);
    QProcess demo;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("XDG_DATA_HOME"), temp.path() + QStringLiteral("/xdg"));
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    environment.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*.debug=false"));
    demo.setProcessEnvironment(environment);
    demo.setProcessChannelMode(QProcess::MergedChannels);
    demo.start(QStringLiteral(CALLOPS_BINARY), {QStringLiteral("--demo")});
    QVERIFY2(demo.waitForStarted(), qPrintable(demo.errorString()));
    QString log;
    QDeadlineTimer deadline(120'000);
    // The engine runs, in the console's scheduler panel.
    const QString engineStarted = QStringLiteral("scheduler \"demo-scheduler\" starting");
    while (!deadline.hasExpired() && demo.state() == QProcess::Running && !log.contains(engineStarted)) {
        demo.waitForReadyRead(500);
        log += QString::fromLocal8Bit(demo.readAll());
    }
    QVERIFY2(log.contains(QStringLiteral("telephony simulator on")), qPrintable(log.right(3000)));
    QVERIFY2(log.contains(engineStarted), qPrintable(log.right(3000)));
    static const QRegularExpression dataIn(QStringLiteral("\\(data in ([^)]+)\\)"));
    const QString directory = dataIn.match(log).captured(1);
    QVERIFY2(directory.startsWith(temp.path()), qPrintable(log.right(3000)));
    QVERIFY(QFile::exists(directory + QStringLiteral("/data/postmaster.pid")));

    terminate(demo);
    QVERIFY2(demo.waitForFinished(60'000), qPrintable(log.right(3000)));
    log += QString::fromLocal8Bit(demo.readAll());
    QVERIFY2(demo.exitStatus() == QProcess::NormalExit, qPrintable(log.right(3000)));
    QVERIFY2(demo.exitCode() == 0, qPrintable(log.right(3000)));
    QVERIFY(!QFile::exists(directory + QStringLiteral("/data/postmaster.pid")));
}

// --demo-reset throws the previous demo away: the sample calls are added again.
void TestDemoCommand::resetStartsOver()
{
    QTemporaryDir temp;
    QVERIFY(temp.isValid());
    QVERIFY(::chmod(QFile::encodeName(temp.path()).constData(), 0755) == 0);
    const auto runUntilServing = [&temp](const QStringList &extra, QString *log) {
        QProcess demo;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("XDG_DATA_HOME"), temp.path() + QStringLiteral("/xdg"));
        environment.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*.debug=false"));
        demo.setProcessEnvironment(environment);
        demo.setProcessChannelMode(QProcess::MergedChannels);
        demo.start(QStringLiteral(CALLOPS_BINARY),
                   QStringList{QStringLiteral("--demo"), QStringLiteral("--no-gui")} + extra);
        if (!demo.waitForStarted())
            return -2;
        QDeadlineTimer deadline(120'000);
        while (!deadline.hasExpired() && demo.state() == QProcess::Running
               && !log->contains(QStringLiteral("telephony simulator on"))) {
            demo.waitForReadyRead(500);
            *log += QString::fromLocal8Bit(demo.readAll());
        }
        terminate(demo);
        demo.waitForFinished(60'000);
        *log += QString::fromLocal8Bit(demo.readAll());
        return demo.exitStatus() == QProcess::NormalExit ? demo.exitCode() : -1;
    };
    QString first;
    QCOMPARE(runUntilServing({}, &first), 0);
    QVERIFY2(first.contains(QStringLiteral("Added ")), qPrintable(first.right(2000)));
    QString again;
    QCOMPARE(runUntilServing({}, &again), 0);
    QVERIFY2(again.contains(QStringLiteral("Reusing the demo database cluster")),
             qPrintable(again.right(2000)));
    QVERIFY2(again.contains(QStringLiteral("Keeping the calls")), qPrintable(again.right(2000)));
    QString reset;
    QCOMPARE(runUntilServing({QStringLiteral("--demo-reset")}, &reset), 0);
    QVERIFY2(reset.contains(QStringLiteral("Throwing away the demo database")),
             qPrintable(reset.right(2000)));
    QVERIFY2(reset.contains(QStringLiteral("Creating the demo database cluster")),
             qPrintable(reset.right(2000)));
    QVERIFY2(reset.contains(QStringLiteral("Added ")), qPrintable(reset.right(2000)));
}

QTEST_GUILESS_MAIN(TestDemoCommand)
#include "TestDemoCommand.moc"
