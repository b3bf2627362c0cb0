#include "CallingHoursAround.h"
#include "ContractServer.h"
#include "SignalArrival.h"
#include "TestDatabase.h"
#include "scheduler/SchedulerEngine.h"
#include "scheduler/SchedulerThread.h"

#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>

using namespace callops;
using namespace callops::test;

namespace {

constexpr qint64 kTenMinutes = 600;
constexpr qint64 kTwelveHours = 12 * 3600;

void addClockRows()
{
    QTest::addColumn<qint64>("skew");
    QTest::newRow("clock 10 min ahead") << kTenMinutes;
    QTest::newRow("clock 10 min behind") << -kTenMinutes;
}

} // namespace

// Several headless schedulers on servers whose clocks are minutes off run against one database.
// The database's clock decides when a row is due (claim_due.sql compares with now()), so the
// engine must go by it everywhere: in what a pass decides, in the calling window, in the shared
// call slots and in when it wakes. Each engine here is given a clock that is off the database's,
// as such a server's is.
class TestSchedulerClock : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void stepsAreDueByTheDatabaseClock_data();
    void stepsAreDueByTheDatabaseClock();
    void callingHoursAreReadOnTheDatabaseClock_data();
    void callingHoursAreReadOnTheDatabaseClock();
    void callSlotsAreTheDatabaseClocks_data();
    void callSlotsAreTheDatabaseClocks();
    void clockAheadDoesNotSpinThePasses();
    void clockBehindStillWakesForTheNextDueCall();

private:
    QString insert(const QString &state, const QString &phone, const QString &column = {},
                   const QString &value = {});
    QVariant rowValue(const QString &id, const QString &expression);
    SchedulerConfig config(qint64 skewSeconds) const;

    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<ContractServer> m_server;
};

void TestSchedulerClock::init()
{
    m_db = std::make_unique<TestDatabase>(QString::fromLatin1(QTest::currentTestFunction()));
    QVERIFY2(m_db->isValid() && m_db->migrate(), qPrintable(m_db->error()));
    m_server = std::make_unique<ContractServer>();
}

void TestSchedulerClock::cleanup()
{
    m_server.reset();
    m_db.reset();
}

QString TestSchedulerClock::insert(const QString &state, const QString &phone, const QString &column,
                                   const QString &value)
{
    // column and value are the test's own SQL, never input.
    return scalar(m_db->connection(),
                  QStringLiteral(
                          "INSERT INTO pending_calls (exam_id, employee_name, phone, workflow_state%1) "
                          "VALUES ('EX', 'Some Body', ?, ?%2) RETURNING id")
                          .arg(column.isEmpty() ? QString() : ", " + column,
                               value.isEmpty() ? QString() : ", " + value),
                  {phone, state})
            .toString();
}

QVariant TestSchedulerClock::rowValue(const QString &id, const QString &expression)
{
    return scalar(m_db->connection(),
                  QStringLiteral("SELECT %1 FROM pending_calls WHERE id = ?").arg(expression), {id});
}

SchedulerConfig TestSchedulerClock::config(qint64 skewSeconds) const
{
    SchedulerConfig config;
    config.database = m_db->settings();
    config.supabaseUrl = m_server->baseUrl();
    config.serviceKey = QStringLiteral("test-service-key");
    config.callsPerSecond = 0;
    config.callingHours = QStringLiteral("mon-sun 00:00-24:00");
    config.httpTimeoutMs = 5000;
    config.intervalSeconds = 600; // only its own wake-ups bring a pass in time
    config.clock = [skewSeconds] {
        return QDateTime::currentDateTimeUtc().addSecs(skewSeconds);
    };
    return config;
}

void TestSchedulerClock::stepsAreDueByTheDatabaseClock_data()
{
    addClockRows();
}

void TestSchedulerClock::stepsAreDueByTheDatabaseClock()
{
    QFETCH(qint64, skew);
    const QString fresh = insert("new", "+1 212-736-5000");
    const QString classification
            = scalar(m_db->connection(),
                     "INSERT INTO call_classifications (phone_number, classification_type, "
                     "is_active) VALUES ('+1 312-555-0000', 'human', true) RETURNING id")
                      .toString();
    const QString retry = insert("retry_pending", "+1 312-555-0000", "classification_id",
                                 QStringLiteral("'%1'").arg(classification));
    const QString ivrWaiting = insert("classification_pending", "+44 20 7946 0000", "ivr_classified_at",
                                      "now() - interval '5 s'");
    const QString ivrDone = insert("classification_pending", "+1 312-555-0001", "ivr_classified_at",
                                   "now() - interval '31 s'");

    // The operator reads in the journal what is wrong with this server.
    QTest::ignoreMessage(
            QtWarningMsg,
            QRegularExpression(QStringLiteral("^this machine's clock is (599|600)\\.\\d s %1 the database's")
                                       .arg(skew > 0 ? "ahead of" : "behind")));
    SchedulerConfig once = config(skew);
    once.continuous = false;
    SchedulerThread scheduler(once);
    QSignalSpy finished(scheduler.engine(), &SchedulerEngine::passFinished);
    scheduler.start();
    QVERIFY(arrives(finished, 20000));
    QVERIFY(scheduler.stopAndWait(10000));
    QCOMPARE(finished.first().at(0).value<PassSummary>().processed, 4);

    // The next step of each is due at once, not when this server's clock says it is now.
    QCOMPARE(rowValue(fresh, "workflow_state").toString(), QStringLiteral("needs_classification"));
    QVERIFY(rowValue(fresh, "next_action_at <= now()").toBool());
    QCOMPARE(rowValue(retry, "workflow_state").toString(), QStringLiteral("ready_to_call"));
    QVERIFY(rowValue(retry, "next_action_at <= now()").toBool());
    // The IVR wait is 30 s of the database's time, the time ivr_classified_at was written in.
    QCOMPARE(rowValue(ivrWaiting, "workflow_state").toString(), QStringLiteral("classification_pending"));
    QVERIFY(rowValue(ivrWaiting,
                     "abs(extract(epoch FROM next_action_at - (ivr_classified_at + interval '30 s'))) < 1")
                    .toBool());
    QCOMPARE(rowValue(ivrDone, "workflow_state").toString(), QStringLiteral("ready_to_call"));
    QVERIFY(m_server->received().isEmpty());
}

void TestSchedulerClock::callingHoursAreReadOnTheDatabaseClock_data()
{
    QTest::addColumn<qint64>("skew");
    QTest::addColumn<bool>("openByTheDatabase");
    QTest::newRow("clock 12 h ahead, open by its clock only") << kTwelveHours << false;
    QTest::newRow("clock 12 h behind, open by its clock only") << -kTwelveHours << false;
    QTest::newRow("clock 12 h ahead, open by the database's") << kTwelveHours << true;
    QTest::newRow("clock 12 h behind, open by the database's") << -kTwelveHours << true;
}

void TestSchedulerClock::callingHoursAreReadOnTheDatabaseClock()
{
    QFETCH(qint64, skew);
    QFETCH(bool, openByTheDatabase);
    const QString id = insert("ready_to_call", "+1 212-736-5000", "clinic_timezone", "'UTC'");
    const QDateTime databaseNow = scalar(m_db->connection(), "SELECT now()").toDateTime();
    SchedulerConfig once = config(skew);
    once.continuous = false;
    once.callingHours = callingHoursAround(openByTheDatabase ? databaseNow : databaseNow.addSecs(skew), 2, 2);
    SchedulerThread scheduler(once);
    QSignalSpy finished(scheduler.engine(), &SchedulerEngine::passFinished);
    scheduler.start();
    QVERIFY(arrives(finished, 20000));
    QVERIFY(scheduler.stopAndWait(10000));
    if (openByTheDatabase) {
        QCOMPARE(m_server->received().size(), 1);
        QCOMPARE(rowValue(id, "workflow_state").toString(), QStringLiteral("calling"));
    } else {
        // The clinic's clock reads the database's time: outside its hours, whatever this server's says.
        QVERIFY(m_server->received().isEmpty());
        QCOMPARE(rowValue(id, "workflow_state").toString(), QStringLiteral("ready_to_call"));
        QVERIFY(rowValue(id, "next_action_at > now() + interval '5 hours'").toBool());
    }
}

void TestSchedulerClock::callSlotsAreTheDatabaseClocks_data()
{
    addClockRows();
}

void TestSchedulerClock::callSlotsAreTheDatabaseClocks()
{
    // The slots of the shared calls-per-second limit are times of the database's clock: a clock
    // behind it waited its whole lag for each slot (one call per 10 minutes), one ahead of it
    // took every slot at once.
    QFETCH(qint64, skew);
    for (int i = 0; i < 4; ++i)
        insert("ready_to_call", QStringLiteral("+1 212-736-50%1").arg(50 + i));
    SchedulerConfig limited = config(skew);
    limited.callsPerSecond = 4;
    SchedulerThread scheduler(limited);
    scheduler.start();
    QTRY_COMPARE_WITH_TIMEOUT(m_server->received().size(), 4, 20000);
    QVERIFY(scheduler.stopAndWait(10000));
    QList<QDateTime> times;
    for (const auto &received : m_server->received())
        times << received.at;
    std::sort(times.begin(), times.end());
    // Starts ~250 ms apart (a slow machine only spreads them further).
    for (qsizetype i = 1; i < times.size(); ++i)
        QVERIFY2(times[i - 1].msecsTo(times[i]) >= 200,
                 qPrintable(QStringLiteral("calls %1 and %2 were %3 ms apart")
                                    .arg(i - 1)
                                    .arg(i)
                                    .arg(times[i - 1].msecsTo(times[i]))));
}

void TestSchedulerClock::clockAheadDoesNotSpinThePasses()
{
    // Due in two minutes by the database, overdue by this server's clock: the scheduler woke every
    // 50 ms to claim nothing, for as long as its clock was ahead.
    insert("ready_to_call", "+1 212-736-5000", "next_action_at", "now() + interval '2 minutes'");
    SchedulerThread scheduler(config(kTenMinutes));
    QSignalSpy passes(scheduler.engine(), &SchedulerEngine::passStarted);
    scheduler.start();
    QVERIFY(arrives(passes, 20000));
    passes.clear();
    QTest::qWait(3000);
    QVERIFY2(passes.size() <= 2,
             qPrintable(QStringLiteral("%1 passes in 3 s with nothing due").arg(passes.size())));
    QVERIFY(m_server->received().isEmpty());
    QVERIFY(scheduler.stopAndWait(10000));
}

void TestSchedulerClock::clockBehindStillWakesForTheNextDueCall()
{
    // Due in three seconds by the database, in ten minutes by this server's clock: the scheduler
    // left it to the interval timer (ten minutes here).
    const QString id = insert("ready_to_call", "+1 212-736-5000", "next_action_at", "now() + interval '3 s'");
    SchedulerThread scheduler(config(-kTenMinutes));
    scheduler.start();
    QTRY_COMPARE_WITH_TIMEOUT(m_server->received().size(), 1, 30000);
    QCOMPARE(m_server->received().first().pendingCallId, id);
    QVERIFY(scheduler.stopAndWait(10000));
}

QTEST_GUILESS_MAIN(TestSchedulerClock)
#include "TestSchedulerClock.moc"
