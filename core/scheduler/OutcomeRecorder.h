#pragma once

#include "common/Result.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <memory>
#include <optional>

namespace callops {

class PreparedStatements;

// What the classification call found, as the Deepgram server reports it (guide Step 4.1).
enum class ClassificationResult : quint8 { Human, IvrOnly, IvrThenHuman, Failed };
// What the voice agent's task call achieved, as VAPI's post-call hook reports it (guide Step 4.2).
enum class TaskResult : quint8 { Success, Failure };

// The timings an outcome sets, as the scheduler is configured (defaults: the guide's).
struct OutcomeTimings
{
    int ivrWaitSeconds = 30; // classification_pending waits this long before the task call
    int taskRetryDelaySeconds = 1800; // a failed task call comes back after this
    int classificationValidDays = 30; // how long a stored classification stays valid
    int backoffBaseSeconds = 30; // a failed classification call is retried after base * 2^(n-1)
    int backoffCapSeconds = 3600;
};

// How an outcome was applied.
struct OutcomeApplied
{
    bool moved = false; // false: the outcome was for an attempt that is no longer current
    QString fromState;
    QString toState;
    int currentAttempt = 0;
};

// One task outcome of a batch (recordTaskResults).
struct TaskOutcome
{
    QString pendingCallId;
    int attempt = 0;
    TaskResult result = TaskResult::Success;
    QString detail;
};

// Writes call outcomes with the guide's Step 4 meaning, through the SQL functions
// callops_record_classification / callops_record_task_result (resources/sql/migrations), which
// any other writer may call too. Each outcome names the attempt it answers: an outcome for an
// attempt that is no longer current (the row was rescued and tried again since) is kept in the
// history but does not move the row.
class OutcomeRecorder
{
public:
    explicit OutcomeRecorder(QSqlDatabase db, OutcomeTimings timings = {});
    ~OutcomeRecorder();
    // Hands the prepared statements over (see PendingCallRepository::takeStatements).
    std::unique_ptr<PreparedStatements> takeStatements();

    Result<OutcomeApplied> recordClassification(const QString &pendingCallId, int attempt,
                                                ClassificationResult result, const QString &detail = {});
    Result<OutcomeApplied> recordTaskResult(const QString &pendingCallId, int attempt, TaskResult result,
                                            const QString &detail = {});
    // Several task outcomes in one statement (callops_record_task_results): the same meaning as
    // one by one, in the order given, a fraction of the database's work. One result per outcome;
    // a bad id fails them all.
    Result<QList<OutcomeApplied>> recordTaskResults(const QList<TaskOutcome> &outcomes);

    static std::optional<ClassificationResult> classificationFromName(const QString &name);
    static QString classificationName(ClassificationResult result);
    static std::optional<TaskResult> taskResultFromName(const QString &name);
    static QString taskResultName(TaskResult result);

private:
    OutcomeTimings m_timings;
    std::unique_ptr<PreparedStatements> m_statements;
};

} // namespace callops
