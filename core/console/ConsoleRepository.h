#pragma once

#include "ActionOutcome.h"
#include "CallFilter.h"
#include "CallRecord.h"
#include "ReasonCount.h"
#include "StateCounts.h"
#include "StuckRules.h"
#include "common/Result.h"
#include "scheduler/SchedulerSighting.h"

#include <QSqlDatabase>
#include <QStringList>

class QSqlQuery;

namespace callops {

// The console's reads and manual actions on one connection of the calling thread. Every query is
// parameterised; filters and sorting run in SQL. The actions go through the database functions of
// migration 0010 so each runs in one transaction and is recorded in workflow_events.
class ConsoleRepository final
{
public:
    explicit ConsoleRepository(QSqlDatabase db, StuckRules rules = StuckRules::defaults());

    // Sets up the console's own session (planner costs, a check that the console is still there);
    // once per connection.
    static Status prepareSession(const QSqlDatabase &db);
    // The tables the console reads that this session's role may not: empty when it may read them all.
    static Result<QStringList> unreadableTables(const QSqlDatabase &db);
    // Whether this session's role may run the manual actions (callops_dispatcher's grant); a role
    // that may only read gets "permission denied" from each.
    static Result<bool> mayChangeCalls(const QSqlDatabase &db);

    void setStuckRules(const StuckRules &rules) { m_rules = rules; }
    const StuckRules &stuckRules() const { return m_rules; }

    Result<StateCounts> stateCounts() const;
    // Is the session still there? Reads the database's clock on the way, which stuck thresholds
    // and the console's "in state for" go by.
    Result<QDateTime> ping() const;
    Result<qint64> count(const CallFilter &filter) const;
    Result<QList<CallRecord>> page(const CallFilter &filter, const CallSort &sort, qint64 offset,
                                   int limit) const;
    // The last count() or page() failed because the server cancelled its statement (SQLSTATE
    // 57014: a cancel request or statement_timeout), not because the connection or the SQL failed.
    bool lastReadCancelled() const { return m_lastReadCancelled; }
    Result<CallRecord> call(const QString &id) const;
    Result<QList<WorkflowEventRecord>> history(const QString &callId) const;
    // History rows whose reason contains `text` (case-insensitive, wildcards taken literally).
    Result<QList<WorkflowEventRecord>> searchHistory(const QString &text, int limit = 500) const;
    // Distinct values for the filter boxes.
    Result<QStringList> clinics() const;
    Result<QList<ReasonCount>> failureReasons() const;
    // The schedulers that have reported themselves within `withinSeconds` (migration 0028), the
    // longest running first.
    Result<QList<SchedulerSighting>> schedulers(int withinSeconds) const;

    // The action on the calls `ids`. `seenAttempts` (parallel to ids, or empty) are the attempts
    // the console showed: a call that started another attempt since is left alone. A call in
    // flight (classifying, calling) takes an action only once stuck by the stuck rules: cut short
    // while live, its number would be free for another call while it goes on.
    ActionOutcome apply(ManualAction action, const QStringList &ids, const QString &reason,
                        const QString &actor, const QList<int> &seenAttempts = {}) const;
    ActionOutcome applyToFilter(ManualAction action, const CallFilter &filter, const QString &reason,
                                const QString &actor) const;

    // The failed and classification_failed calls of a report.
    Result<QList<CallRecord>> failures(const QDateTime &since, const QDateTime &until,
                                       const QList<WorkflowState> &states = {},
                                       const QString &clinic = {}) const;

private:
    static QString filterCondition(const CallFilter &filter);
    static void bindSearchCandidates(QSqlQuery &query, const CallFilter &filter);
    static QString sinceExpression();
    void bindFilter(QSqlQuery &query, const CallFilter &filter) const;
    static CallRecord readCall(const QSqlQuery &query);
    ActionOutcome readOutcome(QSqlQuery &query, ManualAction action, qint64 requested) const;
    Error readFailed(const QSqlQuery &query) const;

    QSqlDatabase m_db;
    StuckRules m_rules;
    mutable bool m_lastReadCancelled = false;
};

} // namespace callops
