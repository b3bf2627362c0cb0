// A dispatcher's manual action racing with the scheduler engine or with an outcome (migration 0025,
// engine/claim_due.sql).
// Each test makes the interleaving deterministic with a transaction held open and a second
// connection on its own thread that blocks on the row lock.

#include "LockRace.h"
#include "TestDatabase.h"
#include "console/ConsoleRepository.h"
#include "phone/PhoneNumberNormalizer.h"
#include "phone/TimeZoneResolver.h"
#include "scheduler/CallingWindow.h"
#include "scheduler/OutcomeRecorder.h"
#include "scheduler/PassPlanner.h"
#include "scheduler/PendingCallRepository.h"
#include "workflow/ManualAction.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

#include <thread>

using namespace callops;
using namespace callops::test;

namespace {

const QString kScheduler = QStringLiteral("sched-race");

QString uuid(int n)
{
    return QString("00000000-0000-0000-0000-%1").arg(n, 12, 10, QChar('0'));
}

bool exec(const QSqlDatabase &db, const QString &sql)
{
    QSqlQuery query(db);
    if (!query.exec(sql)) {
        qWarning("%s: %s", qPrintable(sql.left(120)), qPrintable(query.lastError().text()));
        return false;
    }
    return true;
}

} // namespace

class TestManualActionRaces : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void markFailedDuringStartIsNotOverwritten();
    void resetStuckOnTheAttemptTheDispatcherSawOnly();
    void resetAllStuckRechecksTheFilterUnderTheLock();
    void markFailedAppliesAfterAConcurrentTaskFailure();
    void outcomeBatchEndedByADeadlockIsWrittenAgain();
    void reclassifyCommittedDuringClaimIsNotOverwritten();

private:
    std::unique_ptr<TestDatabase> m_database;
    QSqlDatabase m_db;
};

void TestManualActionRaces::init()
{
    m_database = std::make_unique<TestDatabase>(QString::fromLatin1(QTest::currentTestFunction()));
    QVERIFY2(m_database->isValid(), qPrintable(m_database->error()));
    QVERIFY2(m_database->migrate(), qPrintable(m_database->error()));
    m_db = m_database->connection();
}

void TestManualActionRaces::cleanup()
{
    m_db = QSqlDatabase();
    m_database.reset();
}

// The engine has leased a ready_to_call row (pass committed) and is about to start it. The
// dispatcher marks it failed; that transaction (a bulk action over many rows, say) commits while
// callops_start_calls waits for the row lock. The start must re-check state and lease.
void TestManualActionRaces::markFailedDuringStartIsNotOverwritten()
{
    QVERIFY(exec(m_db,
                 "INSERT INTO pending_calls (id, exam_id, phone, phone_e164, clinic_name, workflow_state, "
                 "next_action_at, locked_by, locked_until) VALUES ('"
                         + uuid(1)
                         + "', 'EX-1', '+15552010001', '+15552010001', 'North', 'ready_to_call', now(), '"
                         + kScheduler + "', now() + interval '5 minutes')"));

    QVERIFY(m_db.transaction());
    ConsoleRepository console(m_db);
    const ActionOutcome outcome
            = console.apply(ManualAction::MarkFailed, {uuid(1)}, "clinic closed", "alice");
    QVERIFY2(outcome.ok(), qPrintable(outcome.error));
    QCOMPARE(outcome.changed(), 1);

    int startedCount = -1;
    QString startError;
    std::thread engine = LockRace::onOwnConnection(*m_database, "engine", [&](const QSqlDatabase &db) {
        PendingCallRepository repository(db, kScheduler);
        const auto started = repository.startCalls({uuid(1)});
        if (started)
            startedCount = int(started->size());
        else
            startError = started.error();
    });
    const QSqlDatabase watch = m_database->connection(QStringLiteral("watch"));
    const bool blocked = LockRace::waitForLockWait(watch);
    QVERIFY(m_db.commit());
    engine.join();
    QVERIFY(blocked);
    QVERIFY2(startError.isEmpty(), qPrintable(startError));

    const QString state
            = scalar(m_db, "SELECT workflow_state FROM pending_calls WHERE id = '" + uuid(1) + "'")
                      .toString();
    qInfo("engine started %d call(s); row now %s; history: %s", startedCount, qPrintable(state),
          qPrintable(scalar(m_db,
                            "SELECT string_agg(coalesce(from_state, '') || '->' || to_state || ' by ' "
                            "|| actor, ', ' ORDER BY id) FROM workflow_events WHERE pending_call_id = '"
                                    + uuid(1) + "'")
                             .toString()));
    QCOMPARE(startedCount, 0); // the engine must not POST a call the dispatcher marked failed
    QCOMPARE(state, QStringLiteral("failed"));
}

// The console shows a call stuck in `calling` (attempt 1). Before the dispatcher clicks Reset
// stuck, the engine rescues it and starts attempt 2 (the call is live). The reset, sent with the
// ids the dispatcher saw, must not cut the live attempt 2 short: that makes the engine dial the
// number again while attempt 2 is on the line.
void TestManualActionRaces::resetStuckOnTheAttemptTheDispatcherSawOnly()
{
    QVERIFY(exec(
            m_db,
            "INSERT INTO call_classifications (id, phone_number, phone_e164, classification_type, is_active) "
            "VALUES ('10000000-0000-0000-0000-000000000001', '+15552010001', '+15552010001', 'human', "
            "true)"));
    QVERIFY(exec(m_db,
                 "INSERT INTO pending_calls (id, exam_id, phone, phone_e164, clinic_name, workflow_state, "
                 "attempt, "
                 "classification_id, state_changed_at, updated_at, next_action_at) VALUES ('"
                         + uuid(1)
                         + "', 'EX-1', '+15552010001', '+15552010001', 'North', 'calling', 1, "
                           "'10000000-0000-0000-0000-000000000001', now() - interval '11 minutes', "
                           "now() - interval '11 minutes', now())"));
    ConsoleRepository console(m_db);
    CallFilter stuck;
    stuck.stuckOnly = true;
    const auto page = console.page(stuck, {}, 0, 100);
    QVERIFY(page);
    QCOMPARE(page->size(), 1);
    QCOMPARE(page->at(0).attempt, 1);
    const QStringList selected{page->at(0).id};

    // The engine: rescue (10 min timeout), retry_pending -> ready_to_call, lease, start attempt 2.
    QCOMPARE(scalar(m_db, "SELECT count(*) FROM callops_rescue_inflight(600)").toInt(), 1);
    QVERIFY(exec(m_db,
                 "UPDATE pending_calls SET workflow_state = 'ready_to_call', retry_count = 1 WHERE id = '"
                         + uuid(1) + "'"));
    QVERIFY(exec(m_db,
                 "UPDATE pending_calls SET locked_by = '" + kScheduler
                         + "', locked_until = now() + interval '1 minute' WHERE id = '" + uuid(1) + "'"));
    PendingCallRepository engine(m_db, kScheduler);
    const auto second = engine.startCalls({uuid(1)});
    QVERIFY(second);
    QCOMPARE(second->size(), 1);
    QCOMPARE(second->at(0).attempt, 2); // attempt 2 is now live

    const ActionOutcome reset = console.apply(ManualAction::ResetStuck, selected, "stuck 11 min", "alice",
                                              {page->at(0).attempt});
    QVERIFY2(reset.ok(), qPrintable(reset.error));
    qInfo("Reset stuck changed %lld call(s): %s", reset.changed(),
          reset.changed() ? qPrintable(reset.changes.at(0).fromState + "->" + reset.changes.at(0).toState)
                          : "");
    if (reset.changed() == 1) {
        // What the engine then does: a third attempt while attempt 2 is live.
        QVERIFY(exec(m_db,
                     "UPDATE pending_calls SET workflow_state = 'ready_to_call', retry_count = 2, "
                     "locked_by = '"
                             + kScheduler + "', locked_until = now() + interval '1 minute' WHERE id = '"
                             + uuid(1) + "'"));
        const auto third = engine.startCalls({uuid(1)});
        QVERIFY(third);
        qInfo("engine then started %lld more call(s) to the same number, attempt %d, while attempt 2 is live",
              qint64(third->size()), third->isEmpty() ? 0 : third->at(0).attempt);
    }
    QCOMPARE(reset.changed(), 0); // attempt 2 was in flight for seconds, not stuck
}

// "Reset all stuck" (stuck-only filter). The ids are chosen by the filter, then locked one by
// one in id order. While the action waits for the first row's lock, the engine rescues and
// restarts the second row (a fresh, live attempt). When the action gets there, it resets the
// fresh attempt because only the state is checked under the lock, not the filter.
void TestManualActionRaces::resetAllStuckRechecksTheFilterUnderTheLock()
{
    for (int n : {1, 2}) {
        QVERIFY(exec(
                m_db,
                QString("INSERT INTO call_classifications (phone_number, phone_e164, classification_type, "
                        "is_active) VALUES ('+1555201000%1', '+1555201000%1', 'human', true)")
                        .arg(n)));
        QVERIFY(exec(
                m_db,
                QString("INSERT INTO pending_calls (id, exam_id, phone, phone_e164, clinic_name, "
                        "workflow_state, attempt, classification_id, state_changed_at, updated_at, "
                        "next_action_at) SELECT '%1', 'EX-%2', '+1555201000%2', '+1555201000%2', 'North', "
                        "'calling', 1, c.id, now() - interval '11 minutes', now() - interval '11 minutes', "
                        "now() FROM call_classifications c WHERE c.phone_e164 = '+1555201000%2'")
                        .arg(uuid(n))
                        .arg(n)));
    }
    // Another transaction holds row 1 for a moment (an outcome being written, another dispatcher).
    QSqlDatabase holder = m_database->connection(QStringLiteral("holder"));
    QVERIFY(holder.transaction());
    QVERIFY(exec(holder, "SELECT 1 FROM pending_calls WHERE id = '" + uuid(1) + "' FOR UPDATE"));

    ActionOutcome outcome;
    std::thread dispatcher
            = LockRace::onOwnConnection(*m_database, "dispatcher", [&](const QSqlDatabase &db) {
                  ConsoleRepository console(db);
                  CallFilter stuck;
                  stuck.stuckOnly = true;
                  outcome = console.applyToFilter(ManualAction::ResetStuck, stuck, "sweep", "alice");
              });
    const QSqlDatabase watch = m_database->connection(QStringLiteral("watch"));
    const bool blocked = LockRace::waitForLockWait(watch);

    // Meanwhile the engine rescues row 2 (row 1 is locked: skipped) and starts attempt 2.
    QCOMPARE(scalar(m_db, "SELECT string_agg(id::text, ',') FROM callops_rescue_inflight(600)").toString(),
             uuid(2));
    QVERIFY(exec(m_db,
                 "UPDATE pending_calls SET workflow_state = 'ready_to_call', retry_count = 1, locked_by = '"
                         + kScheduler + "', locked_until = now() + interval '1 minute' WHERE id = '" + uuid(2)
                         + "'"));
    PendingCallRepository engine(m_db, kScheduler);
    const auto started = engine.startCalls({uuid(2)});
    QVERIFY(started);
    QCOMPARE(started->size(), 1);
    QCOMPARE(started->at(0).attempt, 2);

    QVERIFY(holder.commit());
    dispatcher.join();
    QVERIFY(blocked);
    QVERIFY2(outcome.ok(), qPrintable(outcome.error));
    const QString state
            = scalar(m_db, "SELECT workflow_state FROM pending_calls WHERE id = '" + uuid(2) + "'")
                      .toString();
    qInfo("Reset all stuck changed %lld call(s); row 2 (attempt 2 started a moment ago) is now %s",
          outcome.changed(), qPrintable(state));
    QCOMPARE(state, QStringLiteral("calling"));
}

// Mark failed while the task-failure outcome of the same row is being written. The outcome
// moves calling -> retry_pending, from which Mark failed is allowed; the action must still apply
// (or say why not), not be dropped as "does not apply to their state".
void TestManualActionRaces::markFailedAppliesAfterAConcurrentTaskFailure()
{
    QVERIFY(exec(m_db,
                 "INSERT INTO pending_calls (id, exam_id, phone, phone_e164, clinic_name, workflow_state, "
                 "attempt, next_action_at) VALUES ('"
                         + uuid(1)
                         + "', 'EX-1', '+15552010001', '+15552010001', 'North', 'calling', 4, now())"));
    QSqlDatabase writer = m_database->connection(QStringLiteral("writer"));
    QVERIFY(writer.transaction());
    QCOMPARE(scalar(writer, "SELECT to_state FROM callops_record_task_result('" + uuid(1) + "', 4, false)")
                     .toString(),
             QStringLiteral("retry_pending"));

    ActionOutcome outcome;
    std::thread dispatcher
            = LockRace::onOwnConnection(*m_database, "dispatcher", [&](const QSqlDatabase &db) {
                  ConsoleRepository console(db);
                  outcome = console.apply(ManualAction::MarkFailed, {uuid(1)}, "wrong number", "alice");
              });
    const QSqlDatabase watch = m_database->connection(QStringLiteral("watch"));
    const bool blocked = LockRace::waitForLockWait(watch);
    QVERIFY(writer.commit());
    dispatcher.join();
    QVERIFY(blocked);
    QVERIFY2(outcome.ok(), qPrintable(outcome.error));
    const QString state
            = scalar(m_db, "SELECT workflow_state FROM pending_calls WHERE id = '" + uuid(1) + "'")
                      .toString();
    qInfo("Mark failed changed %lld of 1; row is %s", outcome.changed(), qPrintable(state));
    QCOMPARE(state, QStringLiteral("failed"));
}

// A batch of task outcomes locks its rows as its updates reach them (successes first), a
// dispatcher's action in id order: the two can deadlock, and PostgreSQL ends it by aborting one.
// Here the batch is the one aborted (its wait began first, so its deadlock check runs first); it
// changed nothing and must be written again, or its calls wait for the in-flight timeout and are
// dialled again although their outcome came.
void TestManualActionRaces::outcomeBatchEndedByADeadlockIsWrittenAgain()
{
    for (int n : {1, 2}) {
        QVERIFY(exec(m_db,
                     QStringLiteral("INSERT INTO pending_calls (id, exam_id, phone, phone_e164, clinic_name, "
                                    "workflow_state, attempt, next_action_at) VALUES ('%1', 'EX-%2', "
                                    "'+1555201000%2', '+1555201000%2', 'North', 'calling', 1, now())")
                             .arg(uuid(n))
                             .arg(n)));
    }
    // PostgreSQL ends a deadlock in the session whose deadlock_timeout runs out first once the
    // cycle has formed, and each waiting session looks only once. The batch must be the one: it
    // waits first, so it looks after 4 s (with 1 s, the other side closed the cycle too late on a
    // loaded machine and was the one ended), and the other side does not look in time.
    QVERIFY(exec(
            m_db,
            QStringLiteral("ALTER DATABASE \"%1\" SET deadlock_timeout = '4s'").arg(m_database->name())));
    // The other side (a dispatcher's action, say) holds row 2.
    QSqlDatabase other = m_database->connection(QStringLiteral("other"));
    QVERIFY(exec(other, "SET deadlock_timeout = '60s'"));
    QVERIFY(other.transaction());
    QVERIFY(exec(other, "SELECT 1 FROM pending_calls WHERE id = '" + uuid(2) + "' FOR UPDATE"));

    QString error;
    std::thread writer = LockRace::onOwnConnection(*m_database, "outcomes", [&](const QSqlDatabase &db) {
        OutcomeRecorder recorder(db);
        const auto applied = recorder.recordTaskResults(
                {{uuid(1), 1, TaskResult::Success, {}},
                 {uuid(2), 1, TaskResult::Failure, QStringLiteral("no answer")}});
        if (!applied)
            error = applied.error();
    });
    const QSqlDatabase watch = m_database->connection(QStringLiteral("watch"));
    QVERIFY(LockRace::waitForLockWait(watch)); // the batch moved row 1 and waits for row 2
    // The other side now wants row 1: a deadlock, which PostgreSQL ends after deadlock_timeout.
    QVERIFY(exec(other, "SELECT 1 FROM pending_calls WHERE id = '" + uuid(1) + "' FOR UPDATE"));
    QVERIFY(other.commit());
    writer.join();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(scalar(m_db, "SELECT workflow_state FROM pending_calls WHERE id = '" + uuid(1) + "'").toString(),
             QStringLiteral("completed"));
    QCOMPARE(scalar(m_db, "SELECT workflow_state FROM pending_calls WHERE id = '" + uuid(2) + "'").toString(),
             QStringLiteral("retry_pending"));
}

// The engine's claim (engine/claim_due.sql): The claim
// locks the due rows FOR UPDATE SKIP LOCKED; a row updated by a transaction that committed after
// the claim's snapshot and before the claim reached it is locked in its newest version, and the
// claim must return that version's columns: it returned the snapshot's (an outer SELECT read the
// table again), the planner decided from them, and the pass wrote over the dispatcher's action.
//
// The window is the claim statement's own run time. To make it deterministic, the test pauses the
// claim's scan on the one row with a row-level-security policy whose function waits for an advisory
// lock the test holds (the engine connection runs as a non-superuser role so the policy applies).
// Nothing else about the statements is changed: the engine code runs as shipped.
//
// A call waits in retry_pending (its task call failed; it has a classification). A dispatcher
// clicks Re-classify: new, classification_id NULL. That transaction commits while the engine's
// claim statement is running (after its snapshot, before it reaches the row). The engine then
// decides from the old row (retry_pending with a classification: retry scheduled) and writes
// ready_to_call over the dispatcher's `new`, with no classification: the next pass places a task
// call for a number nobody classified, and the dispatcher's Re-classify is lost.
void TestManualActionRaces::reclassifyCommittedDuringClaimIsNotOverwritten()
{
    QVERIFY(exec(
            m_db,
            "INSERT INTO call_classifications (id, phone_number, phone_e164, classification_type, is_active) "
            "VALUES ('10000000-0000-0000-0000-000000000001', '+12127363100', '+12127363100', 'human', "
            "true)"));
    QVERIFY(exec(m_db,
                 "INSERT INTO pending_calls (id, exam_id, phone, phone_e164, clinic_name, workflow_state, "
                 "attempt, retry_count, max_retries, classification_id, next_action_at) VALUES ('"
                         + uuid(1)
                         + "', 'EX-1', '+12127363100', '+12127363100', 'North', 'retry_pending', 1, 0, 3, "
                           "'10000000-0000-0000-0000-000000000001', now() - interval '1 minute')"));
    // Test instrument: a pause point inside the claim's scan of row 1 (see the top of the file).
    QVERIFY(exec(m_db,
                 "DO $$ BEGIN CREATE ROLE race_engine; EXCEPTION WHEN duplicate_object THEN NULL; END $$"));
    QVERIFY(exec(m_db, "GRANT ALL ON ALL TABLES IN SCHEMA public TO race_engine"));
    QVERIFY(exec(m_db, "GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO race_engine"));
    QVERIFY(exec(m_db, "GRANT USAGE ON SCHEMA public TO race_engine"));
    QVERIFY(exec(m_db,
                 "CREATE FUNCTION race_gate(p_id uuid) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$ "
                 "BEGIN IF p_id = '"
                         + uuid(1)
                         + "' THEN PERFORM pg_advisory_xact_lock_shared(4242); END IF; RETURN true; END $$"));
    QVERIFY(exec(m_db, "ALTER TABLE pending_calls ENABLE ROW LEVEL SECURITY"));
    QVERIFY(exec(m_db, "CREATE POLICY race_gate ON pending_calls USING (race_gate(id)) WITH CHECK (true)"));

    QSqlDatabase gate = m_database->connection(QStringLiteral("gate"));
    QVERIFY(gate.transaction());
    QVERIFY(exec(gate, "SELECT pg_advisory_xact_lock(4242)"));

    // The dispatcher's Re-classify: applied, not yet committed (a bulk action still running).
    QVERIFY(m_db.transaction());
    ConsoleRepository console(m_db);
    const ActionOutcome reclassify
            = console.apply(ManualAction::Reclassify, {uuid(1)}, "wrong line", "alice");
    QVERIFY2(reclassify.ok(), qPrintable(reclassify.error));
    QCOMPARE(reclassify.changed(), 1);

    // The engine's pass, as SchedulerEngine::runPass does it.
    QString engineError;
    QString claimedState;
    QList<Decision> decisions;
    std::thread engine = LockRace::onOwnConnection(*m_database, "engine", [&](const QSqlDatabase &db) {
        if (!exec(db, "SET ROLE race_engine")) {
            engineError = "SET ROLE failed";
            return;
        }
        PendingCallRepository repository(db, kScheduler);
        PhoneNumberNormalizer normalizer(QStringLiteral("US"));
        TimeZoneResolver zones("America/New_York");
        const CallingWindow window = CallingWindow::parse(QStringLiteral("mon-fri 08:00-17:00")).value();
        PassPlanner planner(PassPlanner::Config{}, normalizer, zones, window);
        if (const auto began = repository.begin(); !began) {
            engineError = began.error();
            return;
        }
        auto claimed = repository.claimDue(10);
        if (!claimed) {
            engineError = claimed.error();
            repository.rollback();
            return;
        }
        QList<ClaimedCall> rows = std::move(claimed).value();
        for (const ClaimedCall &row : rows)
            claimedState = row.stateName + " classification "
                    + (row.classificationId.isEmpty() ? "NULL" : row.classificationId);
        QHash<QString, QString> errors;
        planner.normalise(rows, errors);
        const auto classifications = repository.lookUpClassifications(PassPlanner::numbersToLookUp(rows));
        const auto busy = repository.busyNumbers(PassPlanner::numbersToCall(rows));
        if (!classifications || !busy) {
            engineError = "look-ups failed";
            repository.rollback();
            return;
        }
        decisions = planner.decide(rows, errors, *classifications, *busy, QDateTime::currentDateTimeUtc());
        if (Status status = repository.applyDecisions(decisions, 60); !status) {
            engineError = status.error();
            repository.rollback();
            return;
        }
        if (Status status = repository.commit(); !status)
            engineError = status.error();
    });
    const QSqlDatabase watch = m_database->connection(QStringLiteral("watch"));
    const bool paused = LockRace::waitForLockWait(watch); // the claim is scanning row 1 (snapshot taken)
    QVERIFY(m_db.commit()); // the Re-classify commits now
    QVERIFY(gate.commit()); // the claim goes on: locks row 1 (its newest version), reads the old one
    engine.join();
    QVERIFY(paused);
    QVERIFY2(engineError.isEmpty(), qPrintable(engineError));

    const QString row
            = scalar(m_db,
                     "SELECT workflow_state || ' classification ' || coalesce(classification_id::text, "
                     "'NULL') || ' retry_count ' || retry_count FROM pending_calls WHERE id = '"
                             + uuid(1) + "'")
                      .toString();
    qInfo("claim returned: %s; decision: %s (%s); row after the pass: %s", qPrintable(claimedState),
          decisions.isEmpty() ? "none" : qPrintable(decisions.first().status),
          decisions.isEmpty() ? "" : qPrintable(decisions.first().detail), qPrintable(row));
    qInfo("history: %s",
          qPrintable(
                  scalar(m_db,
                         "SELECT string_agg(coalesce(from_state, '') || '->' || to_state || ' by ' || actor, "
                         "', ' ORDER BY id) FROM workflow_events WHERE pending_call_id = '"
                                 + uuid(1) + "'")
                          .toString()));
    // The pass must decide from the row as the dispatcher left it (new, no classification_id; the
    // engine may then look the number up again), never from the version before the Re-classify:
    // that makes a task call with no classification behind it.
    QVERIFY2(!(row.startsWith(QStringLiteral("ready_to_call "))
               && row.contains(QStringLiteral("classification NULL"))),
             qPrintable(row));
    QVERIFY2(claimedState.startsWith(QStringLiteral("new ")), qPrintable(claimedState));
}

QTEST_GUILESS_MAIN(TestManualActionRaces)
#include "TestManualActionRaces.moc"
