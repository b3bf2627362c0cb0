#include "StoppedBackend.h"
#include "TestDatabase.h"
#include "console/ConsoleThread.h"
#include "console/ConsoleWorker.h"
#include "console/StateCounts.h"

#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <atomic>
#include <memory>
#include <thread>

using namespace callops;
using namespace callops::test;

// The console's database worker after its session is dropped (a restart, a network cut): the next
// request fails with a clear message, the one after reconnects, and live updates come back.
class TestConsoleRecovery : public QObject
{
    Q_OBJECT

private slots:
    void reconnectsAfterTheServerDropsItsSession();
    void silentServerIsNotAskedOncePerRequest();
    void closingDoesNotWaitForAServerThatDoesNotAnswer();
    void databaseNotMigratedIsSaidNotRetriedInALoop();
};

void TestConsoleRecovery::reconnectsAfterTheServerDropsItsSession()
{
    TestDatabase database("console_recovery");
    QVERIFY2(database.isValid() && database.migrate(), qPrintable(database.error()));
    QString output;
    QCOMPARE(database.psql("INSERT INTO pending_calls (exam_id, phone, workflow_state) "
                           "VALUES ('EX', '+1 212-736-5000', 'ready_to_call')",
                           &output),
             0);

    ConsoleWorker worker;
    worker.setDebounceMilliseconds(50);
    QSignalSpy connection(&worker, &ConsoleWorker::connectionChanged);
    QSignalSpy counts(&worker, &ConsoleWorker::countsLoaded);
    QSignalSpy errors(&worker, &ConsoleWorker::errorOccurred);
    QSignalSpy changes(&worker, &ConsoleWorker::databaseChanged);
    worker.openDatabase(database.url());
    QVERIFY(!connection.isEmpty() && connection.last().at(0).toBool());
    worker.refreshCounts();
    QCOMPARE(counts.size(), 1);

    // Every session of the database but psql's own goes: the console's included.
    QCOMPARE(database.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()",
                           &output),
             0);
    worker.refreshCounts();
    QCOMPARE(counts.size(), 1);
    QVERIFY(!errors.isEmpty());
    QVERIFY(!connection.last().at(0).toBool());
    QVERIFY2(!connection.last().at(1).toString().contains(database.cluster().superuser().password()),
             "password in the message");

    // The next refresh (the window's periodic one) reconnects and loads again.
    worker.refreshCounts();
    QCOMPARE(counts.size(), 2);
    QVERIFY(connection.last().at(0).toBool());
    QCOMPARE(counts.last().at(0).value<StateCounts>().total, qint64(1));

    // And LISTEN is back: a change by someone else is announced.
    QCOMPARE(database.psql("UPDATE pending_calls SET workflow_state = 'failed'", &output), 0);
    QVERIFY(changes.wait(10000));
}

// Pointed at a database CallOps has not migrated, every read failed ("relation pending_calls does
// not exist"), each failure counted as a lost connection, and the next request connected again:
// hundreds of sessions and warnings a minute, under "the database cannot be reached".
void TestConsoleRecovery::databaseNotMigratedIsSaidNotRetriedInALoop()
{
    TestDatabase database("not_migrated");
    QVERIFY2(database.isValid(), qPrintable(database.error()));
    ConsoleWorker worker;
    QSignalSpy connection(&worker, &ConsoleWorker::connectionChanged);
    QSignalSpy counts(&worker, &ConsoleWorker::countsLoaded);
    QSignalSpy errors(&worker, &ConsoleWorker::errorOccurred);
    worker.openDatabase(database.url());
    QVERIFY(!connection.isEmpty());
    QCOMPARE(connection.last().at(0).toBool(), false);
    QCOMPARE(connection.last().at(2).value<ConnectionProblem>(), ConnectionProblem::NotMigrated);
    const QString message = connection.last().at(1).toString();
    QVERIFY2(message.contains("has no CallOps tables yet: run callops --migrate"), qPrintable(message));

    // A refresh's requests, a few times over: none of them reaches the database.
    for (int i = 0; i < 3; ++i) {
        worker.refreshCounts();
        worker.loadFilterOptions();
        worker.loadCall(QStringLiteral("00000000-0000-0000-0000-000000000000"));
    }
    QVERIFY2(errors.isEmpty(), qPrintable(errors.value(0).value(0).toString()));
    QCOMPARE(counts.size(), 0);
    QCOMPARE(connection.last().at(2).value<ConnectionProblem>(), ConnectionProblem::NotMigrated);

    // Migrated meanwhile: a request after the pause between attempts connects by itself.
    QVERIFY2(database.migrate(), qPrintable(database.error()));
    QTest::qWait(3500);
    worker.refreshCounts();
    QVERIFY(connection.last().at(0).toBool());
    QCOMPARE(connection.last().at(2).value<ConnectionProblem>(), ConnectionProblem::None);
    QCOMPARE(counts.size(), 1);
    QVERIFY(errors.isEmpty());

    // A newer CallOps migrated it further: this console works on, and says it is behind.
    QString output;
    QCOMPARE(database.psql("INSERT INTO schema_migrations (version, name, checksum) "
                           "VALUES ('9999', '9999_from_the_future.sql', 'x')",
                           &output),
             0);
    QTest::ignoreMessage(
            QtWarningMsg,
            QRegularExpression("was migrated by a newer CallOps \\(migrations 9999 are unknown"));
    worker.openDatabase(database.url());
    QVERIFY(connection.last().at(0).toBool());
    QVERIFY2(connection.last().at(1).toString().contains("migrated by a newer CallOps: update CallOps"),
             qPrintable(connection.last().at(1).toString()));
}

void TestConsoleRecovery::silentServerIsNotAskedOncePerRequest()
{
    // A host that takes the connection and never answers (a firewall dropping the replies, a VPN
    // gone stale) held the worker for the connect timeout once per request, and a refresh makes
    // four: the refreshes queued up behind them faster than they failed. Nothing here accepts
    // the connections but the kernel, so the server's backlog counts the attempts.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    ConsoleWorker worker;
    QSignalSpy connection(&worker, &ConsoleWorker::connectionChanged);
    worker.openDatabase(
            QStringLiteral("postgresql://ops:secret@127.0.0.1:%1/calls?connect_timeout=2&sslmode=disable")
                    .arg(silent.serverPort()));
    QVERIFY(!connection.isEmpty() && !connection.last().at(0).toBool());
    worker.refreshCounts();
    worker.loadFilterOptions();
    worker.countFiltered(0, 1, CallFilter{});
    worker.loadPage(0, 1, CallFilter{}, CallSort{}, 0, 50);
    // Each request still says it is not connected, and why.
    QCOMPARE(connection.size(), 5);
    QVERIFY(!connection.last().at(0).toBool());
    QVERIFY2(connection.last().at(1).toString().contains(QString::number(silent.serverPort())),
             qPrintable(connection.last().at(1).toString()));
    QTest::qWait(200); // lets the server see its queue
    int attempts = 0;
    while (QTcpSocket *socket = silent.nextPendingConnection()) {
        ++attempts;
        delete socket;
    }
    QCOMPARE(attempts, 1);
}

void TestConsoleRecovery::closingDoesNotWaitForAServerThatDoesNotAnswer()
{
    // The console's own server process stopped in its tracks (StoppedBackend): closing the console
    // waited for its statement, and the program never exited.
    TestDatabase database("console_close_unanswered");
    QVERIFY2(database.isValid() && database.migrate(), qPrintable(database.error()));
    auto console = std::make_unique<ConsoleThread>();
    ConsoleWorker *worker = console->worker();
    QObject here; // the worker's signals come to this thread, queued
    bool connected = false;
    QObject::connect(worker, &ConsoleWorker::connectionChanged, &here,
                     [&connected](bool now, const QString &) { connected = now; });
    QMetaObject::invokeMethod(worker, [worker, url = database.url()] { worker->openDatabase(url); });
    QTRY_VERIFY_WITH_TIMEOUT(connected, 20000);

    StoppedBackend backend(database, QStringLiteral("callops-console"));
    QVERIFY2(backend.isStopped(), qPrintable(backend.error()));
    // Whatever happens below, the server process goes on at the end, and the closing thread is
    // joined (a close that hangs returns once the server answers again).
    std::thread closer;
    const auto resume = qScopeGuard([&] {
        backend.resume();
        if (closer.joinable())
            closer.join();
    });

    std::atomic<bool> asked = false;
    QMetaObject::invokeMethod(worker, [worker, &asked] {
        asked = true;
        worker->refreshCounts(); // sent, and never answered
    });
    QTRY_VERIFY(asked.load());

    std::atomic<bool> closed = false;
    closer = std::thread([&console, &closed] {
        console.reset();
        closed = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(closed.load(), 30000);

    // The session was ended, not left behind: once the server process runs again it sees its
    // client gone and exits.
    QVERIFY(backend.endsOnceResumed());
}

QTEST_GUILESS_MAIN(TestConsoleRecovery)
#include "TestConsoleRecovery.moc"
