#include "LockRace.h"
#include "TableLock.h"
#include "TestDatabase.h"
#include "console/ConsoleRepository.h"
#include "console/SupersededReads.h"
#include "db/QueryCanceller.h"

#include <QSemaphore>
#include <QTest>

using namespace callops;
using namespace callops::test;

// SupersededReads on a real session: what is superseded is not started, what runs is cancelled on
// the server, and nothing else is.
class TestSupersededReads : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void supersededBeforeItStartsDoesNotRun();
    void supersededWhileItRunsIsCancelled();
    void otherStreamsAndNewerReadsAreLeftAlone();
    void withoutACancellerNothingIsCancelled();

private:
    // Counts the calls a search finds while another session holds the search table; `whileWaiting`
    // runs on a thread of its own once the count waits for the lock, then the lock goes.
    Result<qint64> countHeldUp(const std::function<void(const QSqlDatabase &watch)> &whileWaiting);

    std::unique_ptr<TestDatabase> m_database;
    QSqlDatabase m_db;
};

void TestSupersededReads::init()
{
    m_database = std::make_unique<TestDatabase>(QString::fromLatin1(QTest::currentTestFunction()));
    QVERIFY2(m_database->isValid(), qPrintable(m_database->error()));
    QVERIFY2(m_database->migrate(), qPrintable(m_database->error()));
    m_db = m_database->connection();
    QVERIFY(scalar(m_db,
                   "INSERT INTO pending_calls (exam_id, employee_name, phone, clinic_name) "
                   "VALUES ('EX-1', 'Ana Lopez', '+15552010001', 'North Clinic') RETURNING 1")
                    .isValid());
}

void TestSupersededReads::cleanup()
{
    m_db = QSqlDatabase();
    m_database.reset();
}

Result<qint64>
TestSupersededReads::countHeldUp(const std::function<void(const QSqlDatabase &watch)> &whileWaiting)
{
    QSemaphore locked;
    std::thread other
            = LockRace::onOwnConnection(*m_database, QStringLiteral("watch"), [&](const QSqlDatabase &watch) {
                  TableLock lock(*m_database, QStringLiteral("pending_call_search"));
                  locked.release();
                  if (lock.isHeld() && LockRace::waitForLockWait(watch))
                      whileWaiting(watch);
              });
    locked.acquire();
    ConsoleRepository repository(m_db);
    CallFilter filter;
    filter.search = QStringLiteral("EX-1");
    const auto counted = repository.count(filter);
    other.join();
    return counted;
}

void TestSupersededReads::supersededBeforeItStartsDoesNotRun()
{
    SupersededReads reads;
    const quint64 stream = reads.newStream();
    QVERIFY(reads.newStream() != stream);
    reads.supersede(stream, 2);
    QVERIFY(reads.isSuperseded(stream, 1));
    QVERIFY(!reads.isSuperseded(stream, 2));
    QVERIFY(!reads.start(stream, 1));
    // An older generation said late does not take back a newer one.
    reads.supersede(stream, 1);
    QVERIFY(reads.isSuperseded(stream, 1));
    const auto started = reads.start(stream, 2);
    QVERIFY(started);
    QVERIFY(!reads.finish(*started));
}

void TestSupersededReads::supersededWhileItRunsIsCancelled()
{
    SupersededReads reads;
    reads.setCanceller(QueryCanceller::forConnection(m_db));
    const quint64 stream = reads.newStream();
    const auto started = reads.start(stream, 1);
    QVERIFY(started);
    const auto counted = countHeldUp([&](const QSqlDatabase &watch) {
        reads.supersede(stream, 2);
        // Until the cancel got there: the lock goes after. Not there in time, the read ends when the
        // lock goes and the checks below say so.
        (void)QTest::qWaitFor([&] { return LockRace::lockWaits(watch) == 0; }, 30000);
    });
    QVERIFY(!counted);
    QVERIFY2(counted.error().contains("57014"), qPrintable(counted.error()));
    QVERIFY(reads.finish(*started));
    // The session goes on: the cancel was spent on the read it was for.
    QCOMPARE(scalar(m_db, "SELECT count(*) FROM pending_calls").toInt(), 1);
}

void TestSupersededReads::otherStreamsAndNewerReadsAreLeftAlone()
{
    SupersededReads reads;
    reads.setCanceller(QueryCanceller::forConnection(m_db));
    const quint64 rows = reads.newStream();
    const quint64 count = reads.newStream();
    const auto started = reads.start(rows, 3);
    QVERIFY(started);
    const auto counted = countHeldUp([&](const QSqlDatabase &) {
        reads.supersede(count, 9); // another stream
        reads.supersede(rows, 3); // not newer
        reads.supersede(rows, 2);
    });
    QVERIFY2(counted, qPrintable(counted.error()));
    QCOMPARE(*counted, 1);
    QVERIFY(!reads.finish(*started));
}

void TestSupersededReads::withoutACancellerNothingIsCancelled()
{
    // Between sessions (the connection lost, not yet made again) there is no one to cancel.
    SupersededReads reads;
    reads.setCanceller(QueryCanceller::forConnection(m_db));
    reads.setCanceller(nullptr);
    const quint64 stream = reads.newStream();
    const auto started = reads.start(stream, 1);
    QVERIFY(started);
    const auto counted = countHeldUp([&](const QSqlDatabase &) { reads.supersede(stream, 2); });
    QVERIFY2(counted, qPrintable(counted.error()));
    QVERIFY(!reads.finish(*started));
    QVERIFY(reads.isSuperseded(stream, 1));
}

QTEST_GUILESS_MAIN(TestSupersededReads)
#include "TestSupersededReads.moc"
