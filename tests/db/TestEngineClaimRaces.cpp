// The engine's claim (engine/claim_due.sql) racing with a dispatcher's manual action. The claim
// locks the due rows FOR UPDATE SKIP LOCKED; a row updated by a transaction that committed after
// the claim's snapshot and before the claim reached it is locked in its newest version, and the
// claim must return that version's columns: it returned the snapshot's (an outer SELECT read the
// table again), the planner decided from them, and the pass wrote over the dispatcher's action.
//
// The window is the claim statement's own run time. To make it deterministic, the test pauses the
// claim's scan on the one row with a row-level-security policy whose function waits for an advisory
// lock the test holds (the engine connection runs as a non-superuser role so the policy applies).
// Nothing else about the statements is changed: the engine code runs as shipped.

#include "LockRace.h"
#include "TestDatabase.h"
#include "console/ConsoleRepository.h"
#include "phone/PhoneNumberNormalizer.h"
#include "phone/TimeZoneResolver.h"
#include "scheduler/CallingWindow.h"
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

class TestEngineClaimRaces : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void reclassifyCommittedDuringClaimIsNotOverwritten();

private:
    std::unique_ptr<TestDatabase> m_database;
    QSqlDatabase m_db;
};

void TestEngineClaimRaces::init()
{
    m_database = std::make_unique<TestDatabase>(QString::fromLatin1(QTest::currentTestFunction()));
    QVERIFY2(m_database->isValid(), qPrintable(m_database->error()));
    QVERIFY2(m_database->migrate(), qPrintable(m_database->error()));
    m_db = m_database->connection();
}

void TestEngineClaimRaces::cleanup()
{
    m_db = QSqlDatabase();
    m_database.reset();
}

// A call waits in retry_pending (its task call failed; it has a classification). A dispatcher
// clicks Re-classify: new, classification_id NULL. That transaction commits while the engine's
// claim statement is running (after its snapshot, before it reaches the row). The engine then
// decides from the old row (retry_pending with a classification: retry scheduled) and writes
// ready_to_call over the dispatcher's `new`, with no classification: the next pass places a task
// call for a number nobody classified, and the dispatcher's Re-classify is lost.
void TestEngineClaimRaces::reclassifyCommittedDuringClaimIsNotOverwritten()
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
        if (Status status = repository.begin(); !status) {
            engineError = status.error();
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

QTEST_GUILESS_MAIN(TestEngineClaimRaces)
#include "TestEngineClaimRaces.moc"
