#include "ContractServer.h"
#include "StoppedBackend.h"
#include "TestDatabase.h"
#include "scheduler/SchedulerEngine.h"
#include "scheduler/SchedulerThread.h"

#include <QSignalSpy>
#include <QTest>

using namespace callops;
using namespace callops::test;

// Stopping the scheduler (SIGTERM to the headless program, the console closed) while its thread
// waits on a statement the server never answers (StoppedBackend): the stop request was never taken, the
// headless program never exited, and the console aborted
// ("QThread: Destroyed while thread is still running") when it gave up waiting.
class TestSchedulerStop : public QObject
{
    Q_OBJECT

private slots:
    void stopsWhileTheServerDoesNotAnswer();
};

void TestSchedulerStop::stopsWhileTheServerDoesNotAnswer()
{
    TestDatabase database("scheduler_stop_unanswered");
    QVERIFY2(database.isValid() && database.migrate(), qPrintable(database.error()));
    ContractServer server;
    SchedulerConfig config;
    config.database = database.settings();
    config.supabaseUrl = server.baseUrl();
    config.serviceKey = QStringLiteral("test-service-key");
    config.callingHours = QStringLiteral("mon-sun 00:00-24:00");
    config.intervalSeconds = 600;
    SchedulerThread scheduler(config);
    QSignalSpy passes(scheduler.engine(), &SchedulerEngine::passFinished);
    scheduler.start();
    QVERIFY(passes.wait(20000)); // connected, its first pass done

    StoppedBackend backend(database, QStringLiteral("callops-scheduler"));
    QVERIFY2(backend.isStopped(), qPrintable(backend.error()));

    QSignalSpy started(scheduler.engine(), &SchedulerEngine::passStarted);
    QMetaObject::invokeMethod(scheduler.engine(), &SchedulerEngine::runPassNow, Qt::QueuedConnection);
    QVERIFY(started.wait(10000)); // and now waiting on the server

    QTest::ignoreMessage(QtWarningMsg,
                         "the database has not answered the scheduler for 15000 ms; its "
                         "session is cut so that it can stop");
    QVERIFY(scheduler.stopAndWait(30000));
    QVERIFY(scheduler.isStopped());

    // The session was ended, not left behind: once the server process runs again it sees its
    // client gone and exits.
    QVERIFY(backend.endsOnceResumed());
}

QTEST_GUILESS_MAIN(TestSchedulerStop)
#include "TestSchedulerStop.moc"
