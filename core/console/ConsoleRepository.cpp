#include "ConsoleRepository.h"

#include "db/DatabaseConnection.h"
#include "db/PgArray.h"
#include "db/RolePrivileges.h"
#include "scheduler/SchedulerPresence.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

Q_LOGGING_CATEGORY(lcConsole, "callops.console")

namespace callops {
namespace {

constexpr int kClientCheckIntervalMs = 2000;

const QString kCallColumns = QStringLiteral(
        "pc.id::text, pc.exam_id, pc.employee_name, pc.employee_dob, pc.phone, pc.clinic_name, "
        "pc.clinic_timezone, pc.appointment_time, pc.workflow_state, coalesce(pc.retry_count, 0), "
        "coalesce(pc.max_retries, 0), pc.attempt, pc.classification_attempts, pc.next_action_at, "
        "pc.last_error, pc.failure_reason, pc.failed_at, pc.classification_id::text, pc.last_attempt_at, "
        "pc.created_at, pc.updated_at, pc.state_changed_at, pc.completed_at, pc.locked_by");

const QString kEventColumns = QStringLiteral("e.id, e.pending_call_id::text, e.from_state, e.to_state, "
                                             "e.actor, e.reason, e.detail->>'event', e.at");

// The SQL of a sort key: a fixed list, never text from the caller.
QString sortExpression(CallSort::Key key)
{
    switch (key) {
    case CallSort::Key::ExamId:
        return QStringLiteral("pc.exam_id");
    case CallSort::Key::Employee:
        return QStringLiteral("pc.employee_name");
    case CallSort::Key::Clinic:
        return QStringLiteral("pc.clinic_name");
    case CallSort::Key::Phone:
        return QStringLiteral("pc.phone");
    case CallSort::Key::State:
        return QStringLiteral("pc.workflow_state");
    case CallSort::Key::Retries:
        return QStringLiteral("pc.retry_count");
    case CallSort::Key::NextAction:
        return QStringLiteral("pc.next_action_at");
    case CallSort::Key::LastError:
        return QStringLiteral("pc.last_error");
    case CallSort::Key::Updated:
        break;
    }
    return QStringLiteral("pc.updated_at");
}

QDateTime utc(const QVariant &value)
{
    if (value.isNull())
        return {};
    QDateTime time = value.toDateTime();
    return time.toUTC();
}

WorkflowEventRecord readEvent(const QSqlQuery &query)
{
    WorkflowEventRecord event;
    event.id = query.value(0).toLongLong();
    event.callId = query.value(1).toString();
    event.fromState = query.value(2).toString();
    event.toState = query.value(3).toString();
    event.actor = query.value(4).toString();
    event.reason = query.value(5).toString();
    event.event = query.value(6).toString();
    event.at = utc(query.value(7));
    return event;
}

Error queryError(const QSqlQuery &query)
{
    return Error{DatabaseConnection::describeError(query.lastError())};
}

// PostgreSQL's query_canceled.
const QString kQueryCanceled = QStringLiteral("57014");

QVariant nullableText(const QString &text)
{
    return text.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(text);
}

QVariant nullableTime(const QDateTime &time)
{
    return time.isValid() ? QVariant(time.toUTC()) : QVariant(QMetaType(QMetaType::QDateTime));
}

} // namespace

ConsoleRepository::ConsoleRepository(QSqlDatabase db, StuckRules rules)
    : m_db(std::move(db))
    , m_rules(std::move(rules))
{ }

Status ConsoleRepository::prepareSession(const QSqlDatabase &db)
{
    // The console reads by index lookups rows that are mostly in memory or on SSD (as on
    // Supabase). PostgreSQL's default random_page_cost (4) models spinning disks: with it a search
    // matching a few thousand of a million calls read the whole table (1.0-1.8 s) rather than look
    // each candidate up (35-190 ms with 1.1). Lowered only, for this session only.
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("SELECT set_config('random_page_cost', "
                                   "least(current_setting('random_page_cost')::float8, 1.1)::text, false)")))
        return Error{query.lastError().text()};
    // A console that went away (its session cut when it closed, ConsoleThread) while a manual
    // action waited on a lock: without this the server would go on waiting, and write the action
    // once the lock came free, for a dispatcher who was told it was undone. The server looks
    // every few seconds whether the client is still there (PostgreSQL 14 and later).
    if (!query.exec(QStringLiteral("SELECT set_config('client_connection_check_interval', '%1', false) "
                                   "WHERE current_setting('server_version_num')::int >= 140000")
                            .arg(kClientCheckIntervalMs)))
        return Error{query.lastError().text()};
    return Status::success();
}

Result<QStringList> ConsoleRepository::unreadableTables(const QSqlDatabase &db)
{
    QList<RolePrivileges::TablePrivilege> reads;
    for (const char *table : {"pending_calls", "workflow_events", "call_classifications", "call_sessions"})
        reads.append({QString::fromLatin1(table), QStringLiteral("SELECT")});
    const auto lacking = RolePrivileges::lacking(db, reads, {});
    if (!lacking)
        return Error{lacking.error()};
    QStringList tables;
    for (const RolePrivileges::TablePrivilege &read : lacking->tables)
        tables.append(read.table);
    return tables;
}

Result<bool> ConsoleRepository::mayChangeCalls(const QSqlDatabase &db)
{
    const auto lacking = RolePrivileges::lacking(db, {},
                                                 {QStringLiteral("callops_apply_manual_action"),
                                                  QStringLiteral("callops_apply_manual_action_to_filter")});
    if (!lacking)
        return Error{lacking.error()};
    return lacking->functions.isEmpty();
}

QString ConsoleRepository::filterCondition(const CallFilter &filter)
{
    QString condition = QStringLiteral("callops_call_matches(pc, :f_states::text[], :f_clinic, :f_reason, ")
            + sinceExpression()
            + QStringLiteral(", :f_until::timestamptz, :f_search, :f_stuck_states::text[], "
                             ":f_stuck_seconds::int[])");
    // A search starts from the calls pending_call_search's indexes find for the term (migration
    // 0026), rather than from every call; callops_call_matches still decides each of them.
    if (!filter.search.trimmed().isEmpty())
        condition += QStringLiteral(
                " AND pc.id IN (SELECT id FROM callops_search_call_ids(:f_search_ids) AS id)");
    return condition;
}

void ConsoleRepository::bindSearchCandidates(QSqlQuery &query, const CallFilter &filter)
{
    if (!filter.search.trimmed().isEmpty())
        query.bindValue(QStringLiteral(":f_search_ids"), filter.search.trimmed());
}

QString ConsoleRepository::sinceExpression()
{
    // "In state for up to N" counts back from the database's clock, as the stuck thresholds do:
    // a desktop clock minutes off must not shift the filter. greatest() skips a NULL.
    return QStringLiteral(
            "greatest(:f_since::timestamptz, now() - make_interval(secs => :f_window::float8))");
}

void ConsoleRepository::bindFilter(QSqlQuery &query, const CallFilter &filter) const
{
    QStringList states;
    for (WorkflowState state : filter.states)
        states.append(workflow::stateName(state));
    query.bindValue(QStringLiteral(":f_states"),
                    states.isEmpty() ? nullableText({}) : PgArray::literal(states));
    query.bindValue(QStringLiteral(":f_clinic"), nullableText(filter.clinic));
    query.bindValue(QStringLiteral(":f_reason"), nullableText(filter.failureReason));
    query.bindValue(QStringLiteral(":f_since"), nullableTime(filter.since));
    query.bindValue(QStringLiteral(":f_window"),
                    filter.inStateAtMostSeconds > 0 ? QVariant(double(filter.inStateAtMostSeconds))
                                                    : QVariant(QMetaType::fromType<double>()));
    query.bindValue(QStringLiteral(":f_until"), nullableTime(filter.until));
    query.bindValue(QStringLiteral(":f_search"), nullableText(filter.search.trimmed()));
    query.bindValue(QStringLiteral(":f_stuck_states"),
                    filter.stuckOnly ? QVariant(m_rules.statesArrayLiteral()) : nullableText({}));
    query.bindValue(QStringLiteral(":f_stuck_seconds"),
                    filter.stuckOnly ? QVariant(m_rules.secondsArrayLiteral()) : nullableText({}));
}

Result<StateCounts> ConsoleRepository::stateCounts() const
{
    StateCounts counts;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    // One pass over the table for both (migration 0027): the stuck count through the table's filter
    // was a second whole-table read, the longest of a refresh.
    query.prepare(QStringLiteral("SELECT workflow_state, calls, stuck FROM callops_state_counts("
                                 ":stuck_states::text[], :stuck_seconds::int[])"));
    query.bindValue(QStringLiteral(":stuck_states"), m_rules.statesArrayLiteral());
    query.bindValue(QStringLiteral(":stuck_seconds"), m_rules.secondsArrayLiteral());
    if (!query.exec())
        return queryError(query);
    while (query.next()) {
        counts.byState.insert(query.value(0).toString(), query.value(1).toLongLong());
        counts.total += query.value(1).toLongLong();
        counts.stuck += query.value(2).toLongLong();
    }
    if (query.lastError().isValid())
        return queryError(query);
    return counts;
}

Error ConsoleRepository::readFailed(const QSqlQuery &query) const
{
    m_lastReadCancelled = query.lastError().nativeErrorCode() == kQueryCanceled;
    return queryError(query);
}

Result<qint64> ConsoleRepository::count(const CallFilter &filter) const
{
    m_lastReadCancelled = false;
    QSqlQuery query(m_db);
    // A cancel can land on the PREPARE too; executing what was not prepared would fail otherwise.
    if (!query.prepare(QStringLiteral("SELECT count(*) FROM pending_calls pc WHERE ")
                       + filterCondition(filter)))
        return readFailed(query);
    bindFilter(query, filter);
    bindSearchCandidates(query, filter);
    if (!query.exec() || !query.next())
        return readFailed(query);
    return query.value(0).toLongLong();
}

Result<QList<CallRecord>> ConsoleRepository::page(const CallFilter &filter, const CallSort &sort,
                                                  qint64 offset, int limit) const
{
    m_lastReadCancelled = false;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    const QString order = sortExpression(sort.key)
            + (sort.descending ? u" DESC NULLS LAST" : u" ASC NULLS LAST")
            + (sort.descending ? u", pc.id DESC" : u", pc.id ASC");
    if (!query.prepare(QStringLiteral("SELECT ") + kCallColumns + u" FROM pending_calls pc WHERE "
                       + filterCondition(filter) + u" ORDER BY " + order + u" LIMIT :limit OFFSET :offset"))
        return readFailed(query);
    bindFilter(query, filter);
    bindSearchCandidates(query, filter);
    query.bindValue(QStringLiteral(":limit"), limit);
    query.bindValue(QStringLiteral(":offset"), offset);
    if (!query.exec())
        return readFailed(query);
    QList<CallRecord> calls;
    while (query.next())
        calls.append(readCall(query));
    // Rows come one by one (forward only): a statement cancelled or broken off halfway ends the
    // loop like the last row, and must not pass for a shorter page.
    if (query.lastError().isValid())
        return readFailed(query);
    return calls;
}

Result<CallRecord> ConsoleRepository::call(const QString &id) const
{
    if (QUuid::fromString(id).isNull())
        return Error{QCoreApplication::translate("ConsoleRepository", "\"%1\" is not a call id.").arg(id)};
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT ") + kCallColumns
                  + u" FROM pending_calls pc WHERE pc.id = :id::uuid");
    query.bindValue(QStringLiteral(":id"), id);
    if (!query.exec())
        return queryError(query);
    if (!query.next())
        return Error{
                QCoreApplication::translate("ConsoleRepository", "The call %1 no longer exists.").arg(id)};
    return readCall(query);
}

Result<QList<WorkflowEventRecord>> ConsoleRepository::history(const QString &callId) const
{
    if (QUuid::fromString(callId).isNull())
        return QList<WorkflowEventRecord>{};
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT ") + kEventColumns
                  + u" FROM workflow_events e WHERE e.pending_call_id = :id::uuid ORDER BY e.at, e.id");
    query.bindValue(QStringLiteral(":id"), callId);
    if (!query.exec())
        return queryError(query);
    QList<WorkflowEventRecord> events;
    while (query.next())
        events.append(readEvent(query));
    return events;
}

Result<QList<WorkflowEventRecord>> ConsoleRepository::searchHistory(const QString &text, int limit) const
{
    QSqlQuery query(m_db);
    query.prepare(
            QStringLiteral("SELECT ") + kEventColumns
            + u" FROM workflow_events e WHERE e.reason ILIKE '%' || replace(replace(replace(:text, "
              u"'\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%' ORDER BY e.at DESC, e.id DESC LIMIT :limit");
    query.bindValue(QStringLiteral(":text"), text.trimmed());
    query.bindValue(QStringLiteral(":limit"), limit);
    if (!query.exec())
        return queryError(query);
    QList<WorkflowEventRecord> events;
    while (query.next())
        events.append(readEvent(query));
    return events;
}

Result<QDateTime> ConsoleRepository::ping() const
{
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT clock_timestamp()")) || !query.next())
        return queryError(query);
    return query.value(0).toDateTime().toUTC();
}

Result<QStringList> ConsoleRepository::clinics() const
{
    QSqlQuery query(m_db);
    if (!query.exec(
                QStringLiteral("SELECT DISTINCT clinic_name FROM pending_calls WHERE clinic_name IS NOT NULL "
                               "ORDER BY 1 LIMIT 1000")))
        return queryError(query);
    QStringList values;
    while (query.next())
        values.append(query.value(0).toString());
    return values;
}

Result<QList<ReasonCount>> ConsoleRepository::failureReasons() const
{
    QSqlQuery query(m_db);
    if (!query.exec(
                QStringLiteral("SELECT failure_reason, count(*) FROM pending_calls "
                               "WHERE failure_reason IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 500")))
        return queryError(query);
    QList<ReasonCount> values;
    while (query.next())
        values.append({query.value(0).toString(), query.value(1).toLongLong()});
    return values;
}

Result<QList<SchedulerSighting>> ConsoleRepository::schedulers(int withinSeconds) const
{
    return SchedulerPresence::seen(m_db, withinSeconds);
}

ActionOutcome ConsoleRepository::readOutcome(QSqlQuery &query, ManualAction action, qint64 requested) const
{
    ActionOutcome outcome;
    outcome.action = action;
    outcome.requested = requested;
    if (!query.exec()) {
        outcome.error = DatabaseConnection::describeError(query.lastError());
        return outcome;
    }
    while (query.next())
        outcome.changes.append(
                {query.value(0).toString(), query.value(1).toString(), query.value(2).toString()});
    qCInfo(lcConsole) << manualActions::actionName(action) << "changed" << outcome.changes.size() << "of"
                      << requested << "calls";
    return outcome;
}

ActionOutcome ConsoleRepository::apply(ManualAction action, const QStringList &ids, const QString &reason,
                                       const QString &actor, const QList<int> &seenAttempts) const
{
    const bool withAttempts = !seenAttempts.isEmpty() && seenAttempts.size() == ids.size();
    QStringList valid;
    QStringList attempts;
    for (qsizetype i = 0; i < ids.size(); ++i) {
        if (QUuid::fromString(ids.at(i)).isNull())
            continue;
        valid.append(ids.at(i));
        if (withAttempts)
            attempts.append(QString::number(seenAttempts.at(i)));
    }
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT id::text, from_state, to_state FROM callops_apply_manual_action("
                                 ":action, :ids::uuid[], :attempts::int[], :stuck_states::text[], "
                                 ":stuck_seconds::int[], :reason, :actor)"));
    query.bindValue(QStringLiteral(":action"), manualActions::actionName(action));
    query.bindValue(QStringLiteral(":ids"), PgArray::literal(valid));
    query.bindValue(QStringLiteral(":attempts"),
                    withAttempts ? QVariant(PgArray::literal(attempts)) : nullableText({}));
    query.bindValue(QStringLiteral(":stuck_states"), m_rules.statesArrayLiteral());
    query.bindValue(QStringLiteral(":stuck_seconds"), m_rules.secondsArrayLiteral());
    query.bindValue(QStringLiteral(":reason"), reason);
    query.bindValue(QStringLiteral(":actor"), actor);
    return readOutcome(query, action, ids.size());
}

ActionOutcome ConsoleRepository::applyToFilter(ManualAction action, const CallFilter &filter,
                                               const QString &reason, const QString &actor) const
{
    QSqlQuery query(m_db);
    query.prepare(
            QStringLiteral("SELECT id::text, from_state, to_state FROM callops_apply_manual_action_to_filter("
                           ":action, :f_states::text[], :f_clinic, :f_reason, ")
            + sinceExpression()
            + QStringLiteral(", :f_until::timestamptz, :f_search, :f_stuck_states::text[], "
                             ":f_stuck_seconds::int[], :stuck_states::text[], :stuck_seconds::int[], "
                             ":reason, :actor)"));
    query.bindValue(QStringLiteral(":action"), manualActions::actionName(action));
    bindFilter(query, filter);
    query.bindValue(QStringLiteral(":stuck_states"), m_rules.statesArrayLiteral());
    query.bindValue(QStringLiteral(":stuck_seconds"), m_rules.secondsArrayLiteral());
    query.bindValue(QStringLiteral(":reason"), reason);
    query.bindValue(QStringLiteral(":actor"), actor);
    return readOutcome(query, action, -1);
}

Result<QList<CallRecord>> ConsoleRepository::failures(const QDateTime &since, const QDateTime &until,
                                                      const QList<WorkflowState> &states,
                                                      const QString &clinic) const
{
    QStringList names;
    for (WorkflowState state : states.isEmpty()
                 ? QList<WorkflowState>{WorkflowState::Failed, WorkflowState::ClassificationFailed}
                 : states)
        names.append(workflow::stateName(state));
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(
            QStringLiteral("SELECT ") + kCallColumns
            + u" FROM pending_calls pc WHERE pc.workflow_state = ANY (:states::text[])"
              u" AND (:since::timestamptz IS NULL OR coalesce(pc.failed_at, pc.state_changed_at) >= :since2)"
              u" AND (:until::timestamptz IS NULL OR coalesce(pc.failed_at, pc.state_changed_at) < :until2)"
              u" AND (:clinic::text IS NULL OR pc.clinic_name = :clinic2)"
              u" ORDER BY coalesce(pc.failed_at, pc.state_changed_at), pc.id");
    query.bindValue(QStringLiteral(":states"), PgArray::literal(names));
    query.bindValue(QStringLiteral(":since"), nullableTime(since));
    query.bindValue(QStringLiteral(":since2"), nullableTime(since));
    query.bindValue(QStringLiteral(":until"), nullableTime(until));
    query.bindValue(QStringLiteral(":until2"), nullableTime(until));
    query.bindValue(QStringLiteral(":clinic"), nullableText(clinic));
    query.bindValue(QStringLiteral(":clinic2"), nullableText(clinic));
    if (!query.exec())
        return queryError(query);
    QList<CallRecord> calls;
    while (query.next())
        calls.append(readCall(query));
    return calls;
}

CallRecord ConsoleRepository::readCall(const QSqlQuery &query)
{
    CallRecord call;
    call.id = query.value(0).toString();
    call.examId = query.value(1).toString();
    call.employeeName = query.value(2).toString();
    call.employeeDob = query.value(3).toDate();
    call.phone = query.value(4).toString();
    call.clinicName = query.value(5).toString();
    call.clinicTimezone = query.value(6).toString();
    call.appointmentTime = utc(query.value(7));
    call.state = query.value(8).toString();
    call.retryCount = query.value(9).toInt();
    call.maxRetries = query.value(10).toInt();
    call.attempt = query.value(11).toInt();
    call.classificationAttempts = query.value(12).toInt();
    call.nextActionAt = utc(query.value(13));
    call.lastError = query.value(14).toString();
    call.failureReason = query.value(15).toString();
    call.failedAt = utc(query.value(16));
    call.classificationId = query.value(17).toString();
    call.lastAttemptAt = utc(query.value(18));
    call.createdAt = utc(query.value(19));
    call.updatedAt = utc(query.value(20));
    call.stateChangedAt = utc(query.value(21));
    call.completedAt = utc(query.value(22));
    call.lockedBy = query.value(23).toString();
    return call;
}

} // namespace callops
