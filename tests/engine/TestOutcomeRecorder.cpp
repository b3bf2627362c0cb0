#include "TestDatabase.h"
#include "scheduler/OutcomeRecorder.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

using namespace callops;
using namespace callops::test;

namespace {

const char *kId = "44444444-4444-4444-4444-444444444444";

} // namespace

// The outcomes API with the guide's Step 4 meaning, fenced by attempt.
class TestOutcomeRecorder : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void classification_data();
    void classification();
    void classificationFailuresExhaustAttempts();
    void taskResults_data();
    void taskResults();
    void staleOutcomeIsKeptButDoesNotMove();
    void badInputIsAClearError();
    void taskResultsInABatch();
    void batchWithAnUnknownIdChangesNothing();
    void statementsArePreparedOnce();

private:
    void putRow(const QString &state, int attempt, int classificationAttempts = 1, int maxRetries = 3);
    QString state() const
    {
        return scalar(m_db->connection(), "SELECT workflow_state FROM pending_calls").toString();
    }

    std::unique_ptr<TestDatabase> m_db;
};

void TestOutcomeRecorder::init()
{
    m_db = std::make_unique<TestDatabase>(QString::fromLatin1(QTest::currentTestFunction()));
    QVERIFY2(m_db->isValid() && m_db->migrate(), qPrintable(m_db->error()));
}

void TestOutcomeRecorder::cleanup()
{
    m_db.reset();
}

void TestOutcomeRecorder::putRow(const QString &state, int attempt, int classificationAttempts,
                                 int maxRetries)
{
    QSqlQuery query(m_db->connection());
    query.prepare("INSERT INTO pending_calls (id, exam_id, phone, phone_e164, workflow_state, attempt, "
                  "classification_attempts, max_retries) VALUES (?, 'EX', '+1 212 736 5000', '+12127365000', "
                  "?, ?, ?, ?)");
    query.addBindValue(QString::fromLatin1(kId));
    query.addBindValue(state);
    query.addBindValue(attempt);
    query.addBindValue(classificationAttempts);
    query.addBindValue(maxRetries);
    QVERIFY2(query.exec(), qPrintable(query.lastError().text()));
}

void TestOutcomeRecorder::classification_data()
{
    QTest::addColumn<int>("result");
    QTest::addColumn<QString>("expectedState");
    QTest::addColumn<bool>("storesClassification");
    QTest::newRow("human") << int(ClassificationResult::Human) << "calling" << true;
    QTest::newRow("ivr_only") << int(ClassificationResult::IvrOnly) << "classification_pending" << true;
    QTest::newRow("ivr_then_human") << int(ClassificationResult::IvrThenHuman) << "classification_pending"
                                    << true;
    QTest::newRow("failed (no answer)")
            << int(ClassificationResult::Failed) << "needs_classification" << false;
}

void TestOutcomeRecorder::classification()
{
    QFETCH(int, result);
    QFETCH(QString, expectedState);
    QFETCH(bool, storesClassification);
    putRow("classifying", 1);
    OutcomeRecorder recorder(m_db->connection());
    const auto applied = recorder.recordClassification(kId, 1, ClassificationResult(result));
    QVERIFY2(applied.ok(), qPrintable(applied.error()));
    QVERIFY(applied->moved);
    QCOMPARE(applied->fromState, QStringLiteral("classifying"));
    QCOMPARE(applied->toState, expectedState);
    QCOMPARE(state(), expectedState);
    QSqlDatabase db = m_db->connection();
    QCOMPARE(scalar(db,
                    "SELECT count(*) FROM call_classifications WHERE phone_e164 = '+12127365000' AND "
                    "is_active")
                     .toInt(),
             storesClassification ? 1 : 0);
    QCOMPARE(scalar(db, "SELECT classification_id IS NOT NULL FROM pending_calls").toBool(),
             storesClassification);
    if (expectedState == "classification_pending") {
        // The guide's 30 s IVR wait.
        QVERIFY(scalar(db,
                       "SELECT next_action_at BETWEEN now() + interval '29 s' AND now() + interval '31 s' "
                       "AND ivr_classified_at IS NOT NULL FROM pending_calls")
                        .toBool());
        QCOMPARE(scalar(db, "SELECT workflow_metadata->>'classification_type' FROM pending_calls").toString(),
                 OutcomeRecorder::classificationName(ClassificationResult(result)));
    }
    if (expectedState == "needs_classification") {
        QVERIFY(scalar(db, "SELECT next_action_at > now() AND last_error IS NOT NULL FROM pending_calls")
                        .toBool());
    }
    QCOMPARE(scalar(db, "SELECT detail->>'event' FROM workflow_events ORDER BY id DESC LIMIT 1")
                     .toString()
                     .isEmpty(),
             false);
}

void TestOutcomeRecorder::classificationFailuresExhaustAttempts()
{
    putRow("classifying", 3, 3, 3);
    OutcomeRecorder recorder(m_db->connection());
    const auto applied = recorder.recordClassification(kId, 3, ClassificationResult::Failed, "busy signal");
    QVERIFY2(applied.ok(), qPrintable(applied.error()));
    QCOMPARE(applied->toState, QStringLiteral("classification_failed"));
    QSqlDatabase db = m_db->connection();
    QVERIFY(scalar(db,
                   "SELECT failed_at IS NOT NULL AND failure_reason LIKE '%busy signal%' AND last_error = "
                   "'busy signal' "
                   "FROM pending_calls")
                    .toBool());
}

void TestOutcomeRecorder::taskResults_data()
{
    QTest::addColumn<bool>("success");
    QTest::addColumn<QString>("expectedState");
    QTest::newRow("success") << true << "completed";
    QTest::newRow("failure") << false << "retry_pending";
}

void TestOutcomeRecorder::taskResults()
{
    QFETCH(bool, success);
    QFETCH(QString, expectedState);
    putRow("calling", 2);
    OutcomeRecorder recorder(m_db->connection());
    const auto applied
            = recorder.recordTaskResult(kId, 2, success ? TaskResult::Success : TaskResult::Failure);
    QVERIFY2(applied.ok(), qPrintable(applied.error()));
    QCOMPARE(applied->toState, expectedState);
    QCOMPARE(state(), expectedState);
    QSqlDatabase db = m_db->connection();
    if (success) {
        QVERIFY(scalar(db, "SELECT completed_at IS NOT NULL AND next_action_at IS NULL FROM pending_calls")
                        .toBool());
    } else {
        // The guide's 30-minute retry.
        QVERIFY(scalar(db,
                       "SELECT next_action_at BETWEEN now() + interval '29 min' AND now() + interval '31 "
                       "min' "
                       "FROM pending_calls")
                        .toBool());
    }
}

void TestOutcomeRecorder::staleOutcomeIsKeptButDoesNotMove()
{
    // The row was rescued and tried again since: attempt 3 is current, an outcome for 2 arrives.
    putRow("calling", 3);
    OutcomeRecorder recorder(m_db->connection());
    const auto task = recorder.recordTaskResult(kId, 2, TaskResult::Success);
    QVERIFY2(task.ok(), qPrintable(task.error()));
    QVERIFY(!task->moved);
    QCOMPARE(task->currentAttempt, 3);
    QCOMPARE(state(), QStringLiteral("calling"));
    QSqlDatabase db = m_db->connection();
    QCOMPARE(scalar(db,
                    "SELECT count(*) FROM workflow_events WHERE detail->>'event' = 'stale_outcome' "
                    "AND (detail->>'attempt')::int = 2 AND from_state = to_state")
                     .toInt(),
             1);

    // A classification outcome for a row no longer classifying: the number's classification is
    // still stored, the row does not move.
    const auto classification = recorder.recordClassification(kId, 3, ClassificationResult::IvrOnly);
    QVERIFY2(classification.ok(), qPrintable(classification.error()));
    QVERIFY(!classification->moved);
    QCOMPARE(state(), QStringLiteral("calling"));
    QCOMPARE(scalar(db, "SELECT count(*) FROM call_classifications").toInt(), 1);
}

void TestOutcomeRecorder::badInputIsAClearError()
{
    OutcomeRecorder recorder(m_db->connection());
    auto notUuid
            = recorder.recordTaskResult("not-a-uuid'; DROP TABLE pending_calls; --", 1, TaskResult::Success);
    QVERIFY(!notUuid.ok());
    QVERIFY2(notUuid.error().contains("not a pending call id"), qPrintable(notUuid.error()));
    auto unknown = recorder.recordClassification("55555555-5555-5555-5555-555555555555", 1,
                                                 ClassificationResult::Human);
    QVERIFY(!unknown.ok());
    QVERIFY2(unknown.error().contains("does not exist"), qPrintable(unknown.error()));
    QVERIFY(scalar(m_db->connection(), "SELECT to_regclass('pending_calls') IS NOT NULL").toBool());
}

namespace {

QString callId(int n)
{
    return QStringLiteral("44444444-4444-4444-4444-%1").arg(n, 12, 10, QLatin1Char('0'));
}

void insertCalling(QSqlDatabase db, int n, int attempt)
{
    QSqlQuery query(db);
    query.prepare("INSERT INTO pending_calls (id, exam_id, phone, phone_e164, workflow_state, attempt) "
                  "VALUES (?, ?, '+1 212 736 5000', ?, 'calling', ?)");
    query.addBindValue(callId(n));
    query.addBindValue(QStringLiteral("EX-%1").arg(n));
    query.addBindValue(QStringLiteral("+1212736%1").arg(5000 + n));
    query.addBindValue(attempt);
    QVERIFY2(query.exec(), qPrintable(query.lastError().text()));
}

QString stateOf(QSqlDatabase db, int n)
{
    return scalar(db,
                  QStringLiteral("SELECT workflow_state FROM pending_calls WHERE id = '%1'").arg(callId(n)))
            .toString();
}

} // namespace

void TestOutcomeRecorder::taskResultsInABatch()
{
    QSqlDatabase db = m_db->connection();
    for (int n = 1; n <= 5; ++n)
        insertCalling(db, n, n == 4 ? 3 : 1);
    OutcomeRecorder recorder(db);
    // Successes and failures mixed; call 2 named twice (its second outcome comes too late); call
    // 4 answered for an attempt that is no longer current.
    const QList<TaskOutcome> outcomes{
            {callId(1), 1, TaskResult::Success, {}},
            {callId(2), 1, TaskResult::Failure, QStringLiteral("voicemail")},
            {callId(3), 1, TaskResult::Success, {}},
            {callId(2), 1, TaskResult::Success, {}},
            {callId(4), 2, TaskResult::Success, {}},
            {callId(5), 1, TaskResult::Failure, {}},
    };
    const auto applied = recorder.recordTaskResults(outcomes);
    QVERIFY2(applied.ok(), qPrintable(applied.error()));
    QCOMPARE(applied->size(), outcomes.size());
    const QList<bool> moved{true, true, true, false, false, true};
    const QStringList to{"completed",     "retry_pending", "completed",
                         "retry_pending", "calling",       "retry_pending"};
    for (qsizetype i = 0; i < outcomes.size(); ++i) {
        QCOMPARE(applied->at(i).moved, moved.at(i));
        QCOMPARE(applied->at(i).toState, to.at(i));
    }
    QCOMPARE(applied->at(4).currentAttempt, 3);
    QCOMPARE(stateOf(db, 1), QStringLiteral("completed"));
    QCOMPARE(stateOf(db, 2), QStringLiteral("retry_pending"));
    QCOMPARE(stateOf(db, 4), QStringLiteral("calling"));
    QCOMPARE(stateOf(db, 5), QStringLiteral("retry_pending"));
    // The same history as one by one: an event per move, named for the outcome; the late and the
    // stale outcomes kept without a move.
    QCOMPARE(scalar(db,
                    "SELECT count(*) FROM workflow_events WHERE detail->>'event' = 'task_succeeded' "
                    "AND from_state = 'calling' AND to_state = 'completed'")
                     .toInt(),
             2);
    QCOMPARE(scalar(db,
                    "SELECT count(*) FROM workflow_events WHERE detail->>'event' = 'task_failed' "
                    "AND from_state = 'calling' AND to_state = 'retry_pending'")
                     .toInt(),
             2);
    QCOMPARE(scalar(db, "SELECT count(*) FROM workflow_events WHERE detail->>'event' = 'stale_outcome'")
                     .toInt(),
             2);
    QCOMPARE(scalar(db, QStringLiteral("SELECT last_error FROM pending_calls WHERE id = '%1'").arg(callId(2)))
                     .toString(),
             QStringLiteral("voicemail"));
    QVERIFY(scalar(db,
                   QStringLiteral("SELECT next_action_at BETWEEN now() + interval '29 min' AND now() + "
                                  "interval '31 min' FROM pending_calls WHERE id = '%1'")
                           .arg(callId(5)))
                    .toBool());
    QVERIFY(recorder.recordTaskResults({})->isEmpty());
}

void TestOutcomeRecorder::batchWithAnUnknownIdChangesNothing()
{
    QSqlDatabase db = m_db->connection();
    insertCalling(db, 1, 1);
    OutcomeRecorder recorder(db);
    const auto unknown = recorder.recordTaskResults(
            {{callId(1), 1, TaskResult::Success, {}}, {callId(9), 1, TaskResult::Success, {}}});
    QVERIFY(!unknown.ok());
    QVERIFY2(unknown.error().contains("does not exist"), qPrintable(unknown.error()));
    QCOMPARE(stateOf(db, 1), QStringLiteral("calling"));
    const auto notAnId
            = recorder.recordTaskResults({{QStringLiteral("x'); --"), 1, TaskResult::Success, {}}});
    QVERIFY(!notAnId.ok());
    QVERIFY2(notAnId.error().contains("not a pending call id"), qPrintable(notAnId.error()));
    // The recorder goes on working after a failed batch.
    const auto retried = recorder.recordTaskResults({{callId(1), 1, TaskResult::Success, {}}});
    QVERIFY2(retried.ok(), qPrintable(retried.error()));
    QCOMPARE(stateOf(db, 1), QStringLiteral("completed"));
}

void TestOutcomeRecorder::statementsArePreparedOnce()
{
    QSqlDatabase db = m_db->connection();
    for (int n = 1; n <= 4; ++n)
        insertCalling(db, n, 1);
    OutcomeRecorder recorder(db);
    for (int n = 1; n <= 3; ++n)
        QVERIFY(recorder.recordTaskResult(callId(n), 1, TaskResult::Success).ok());
    QVERIFY(recorder.recordTaskResults({{callId(4), 1, TaskResult::Success, {}}}).ok());
    // One PREPARE per statement on this connection, however many outcomes went through it (the
    // look-up itself is prepared on this connection too: it is left out).
    const QString count
            = QStringLiteral("SELECT count(*) FROM pg_prepared_statements WHERE strpos(statement, "
                             "'FROM callops_record_task_%1(') > 0 AND statement NOT LIKE "
                             "'%pg_prepared_statements%'");
    QCOMPARE(scalar(db, count.arg("result")).toInt(), 1);
    QCOMPARE(scalar(db, count.arg("results")).toInt(), 1);
}

QTEST_GUILESS_MAIN(TestOutcomeRecorder)
#include "TestOutcomeRecorder.moc"
