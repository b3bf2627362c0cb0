// Bad input for the outcomes API (what the Deepgram server, VAPI's hook and the simulator call):
// ids that are not UUIDs, unknown ids, negative and absurd attempts, hostile detail text. Each
// call either applies, is kept as a stale outcome, or fails with a clear message; none crashes,
// none breaks the connection, and no row ever leaves the set of known states or moves on an
// outcome for an attempt that is not its current one.
#include "BadInput.h"
#include "TestDatabase.h"
#include "scheduler/OutcomeRecorder.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUuid>

#include <limits>

using namespace callops;
using namespace callops::test;

class TestBadInputOutcomes : public QObject
{
    Q_OBJECT

private slots:
    void hostileOutcomes();
};

void TestBadInputOutcomes::hostileOutcomes()
{
    TestDatabase database("badinput_outcomes");
    QVERIFY2(database.isValid() && database.migrate(), qPrintable(database.error()));
    QSqlDatabase db = database.connection();
    QSqlQuery seed(db);
    QVERIFY2(seed.exec("INSERT INTO pending_calls (exam_id, employee_name, phone, workflow_state, attempt) "
                       "SELECT 'EX-' || g, 'Employee ' || g, '+1 212-736-5' || lpad(g::text, 3, '0'), "
                       "  (ARRAY['classifying','calling','ready_to_call','completed'])[1 + g % 4], g % 3 "
                       "FROM generate_series(1, 40) g"),
             qPrintable(seed.lastError().text()));
    QStringList ids;
    QVERIFY(seed.exec("SELECT id FROM pending_calls"));
    while (seed.next())
        ids << seed.value(0).toString();

    BadInput input(
            ids + QStringList{QUuid::createUuid().toString(QUuid::WithoutBraces), "{" + ids.first() + "}"},
            {"-", "{", "}", "0", "'", ";", "DROP TABLE pending_calls", "%", "\\"});
    OutcomeRecorder recorder(db, OutcomeTimings{});
    const QList<int> attempts{0, 1, 2, -1, -2147483647 - 1, 2147483647, 3, 1000000};
    FuzzBudget budget(4000);
    int applied = 0;
    int stale = 0;
    int refused = 0;
    while (budget.more()) {
        QString id;
        switch (input.bounded(3)) {
        case 0:
            id = ids.at(input.bounded(int(ids.size())));
            break;
        case 1:
            id = QUuid::createUuid().toString(QUuid::WithoutBraces); // unknown
            break;
        default:
            id = input.next().text; // anything at all
            break;
        }
        const int attempt = attempts.at(input.bounded(int(attempts.size())));
        QString detail = input.bounded(2) ? QString() : input.next().text;
        if (detail.size() > 100000)
            detail.truncate(100000);
        const bool task = input.bounded(2);
        const Result<OutcomeApplied> result = task
                ? recorder.recordTaskResult(
                        id, attempt, input.bounded(2) ? TaskResult::Success : TaskResult::Failure, detail)
                : recorder.recordClassification(id, attempt, ClassificationResult(input.bounded(4)), detail);
        const QString what = QStringLiteral("%1 attempt %2 id %3 detail %4")
                                     .arg(task ? "task" : "classification")
                                     .arg(attempt)
                                     .arg(BadInput::describe(id), BadInput::describe(detail));
        if (!result) {
            ++refused;
            const QString problem = BadInput::problemWithError(result.error());
            QVERIFY2(problem.isEmpty(), qPrintable(problem + QStringLiteral(" for ") + what));
            continue;
        }
        QVERIFY2(ids.contains(id, Qt::CaseInsensitive)
                         || QUuid::fromString(id) == QUuid::fromString(ids.first()),
                 qPrintable("an outcome for an unknown id was taken: " + what));
        if (result->moved) {
            ++applied;
            QCOMPARE(result->currentAttempt, attempt);
        } else {
            ++stale;
        }
    }
    qInfo("%d outcomes: %d applied, %d stale, %d refused; seed %llu", budget.cases(), applied, stale, refused,
          BadInput::seed());
    QVERIFY(refused > 0 && stale > 0);

    // The connection still works and every row is in a known state.
    QSqlQuery check(db);
    QVERIFY2(check.exec("SELECT count(*) FROM pending_calls WHERE workflow_state NOT IN ('new', "
                        "'checking_classification', 'needs_classification', 'classifying', "
                        "'classification_pending', 'ready_to_call', 'calling', 'retry_pending', 'completed', "
                        "'failed', 'classification_failed')"),
             qPrintable(check.lastError().text()));
    QVERIFY(check.next());
    QCOMPARE(check.value(0).toInt(), 0);
    QVERIFY(check.exec("SELECT count(*) FROM pending_calls"));
    QVERIFY(check.next());
    QCOMPARE(check.value(0).toInt(), 40);
}

QTEST_GUILESS_MAIN(TestBadInputOutcomes)
#include "TestBadInputOutcomes.moc"
