#include "PendingCallRepository.h"

#include "db/DatabaseConnection.h"
#include "db/PgArray.h"
#include "db/PreparedStatements.h"
#include "db/SqlResource.h"
#include "phone/PhoneNumberNormalizer.h"
#include "workflow/WorkflowState.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSqlQuery>

Q_DECLARE_LOGGING_CATEGORY(lcEngine)

namespace callops {
namespace {

QString actionableStates()
{
    return workflow::stateNamesArrayLiteral(StateGroup::Actionable);
}

QString knownStates()
{
    QStringList names;
    for (WorkflowState state : workflow::knownStates())
        names.append(workflow::stateName(state));
    return PgArray::literal(names);
}

QString isoUtc(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

} // namespace

PendingCallRepository::PendingCallRepository(QSqlDatabase db, QString schedulerId)
    : m_db(db)
    , m_schedulerId(std::move(schedulerId))
    , m_statements(std::make_unique<PreparedStatements>(db))
{ }

PendingCallRepository::~PendingCallRepository() = default;

std::unique_ptr<PreparedStatements> PendingCallRepository::takeStatements()
{
    return std::move(m_statements);
}

bool PendingCallRepository::isConnectionLost(const QSqlError &error, const QSqlDatabase &db)
{
    const QString code = error.nativeErrorCode();
    // Class 08: connection exceptions; 57P01-57P03: the server is shutting down or starting.
    if (code.startsWith(u"08") || code == u"57P01" || code == u"57P02" || code == u"57P03")
        return true;
    if (error.type() == QSqlError::ConnectionError)
        return true;
    if (!db.isOpen())
        return true;
    const QString text = error.databaseText() + u' ' + error.driverText();
    return text.contains(u"server closed the connection", Qt::CaseInsensitive)
            || text.contains(u"no connection to the server", Qt::CaseInsensitive)
            || text.contains(u"terminating connection", Qt::CaseInsensitive)
            || text.contains(u"connection to server", Qt::CaseInsensitive);
}

Error PendingCallRepository::fail(const QSqlError &error, const char *what)
{
    if (isConnectionLost(error, m_db))
        m_connectionLost = true;
    return Error{
            QStringLiteral("%1: %2").arg(QLatin1StringView(what), DatabaseConnection::describeError(error))};
}

Result<DatabaseTime> PendingCallRepository::setActor()
{
    // The database's clock comes with it: no round trip of its own on the pass's path.
    QSqlQuery *query = m_statements->prepared(
            QStringLiteral("SELECT set_config('callops.actor', :actor, true), "
                           "set_config('callops.event', 'scheduler_pass', true), now(), clock_timestamp()"));
    if (!query)
        return fail(m_statements->lastError(), "preparing a statement");
    query->bindValue(QStringLiteral(":actor"), QString(QStringLiteral("scheduler:") + m_schedulerId));
    if (!query->exec() || !query->next())
        return fail(query->lastError(), "setting the actor");
    DatabaseTime time{query->value(2).toDateTime().toUTC(), query->value(3).toDateTime().toUTC()};
    query->finish();
    return time;
}

Result<DatabaseTime> PendingCallRepository::begin()
{
    if (!m_db.transaction())
        return fail(m_db.lastError(), "starting a transaction");
    return setActor();
}

Status PendingCallRepository::commit()
{
    if (!m_db.commit())
        return fail(m_db.lastError(), "committing");
    return Status::success();
}

void PendingCallRepository::rollback()
{
    m_db.rollback();
}

Result<QList<ClaimedCall>> PendingCallRepository::claimDue(int batch)
{
    QSqlQuery *query = m_statements->prepared(SqlResource::text(QStringLiteral("engine/claim_due.sql")));
    if (!query)
        return fail(m_statements->lastError(), "preparing a statement");
    query->bindValue(QStringLiteral(":states"), actionableStates());
    query->bindValue(QStringLiteral(":batch"), batch);
    if (!query->exec())
        return fail(query->lastError(), "claiming due calls");
    QList<ClaimedCall> rows;
    while (query->next()) {
        ClaimedCall row;
        row.id = query->value(0).toString();
        row.stateName = query->value(1).toString();
        row.state = workflow::stateFromName(row.stateName);
        row.phone = query->value(2).toString();
        row.e164Known = !query->value(3).isNull();
        row.e164 = query->value(3).toString();
        row.clinicTimezone = query->value(4).toString();
        const QVariant retryCount = query->value(5);
        const QVariant maxRetries = query->value(6);
        row.retryCount = retryCount.isNull() ? 0 : retryCount.toInt();
        row.maxRetries = maxRetries.isNull() ? 3 : maxRetries.toInt();
        row.classificationId = query->value(7).toString();
        row.ivrClassifiedAt = query->value(8).toDateTime();
        row.updatedAt = query->value(9).toDateTime();
        row.attempt = query->value(10).toInt();
        row.classificationAttempts = query->value(11).toInt();
        rows.append(row);
    }
    return rows;
}

Result<QHash<QString, ClassificationMatch>>
PendingCallRepository::lookUpClassifications(const QStringList &numbers)
{
    QHash<QString, ClassificationMatch> matches;
    if (numbers.isEmpty())
        return matches;
    QSqlQuery *query
            = m_statements->prepared(SqlResource::text(QStringLiteral("engine/lookup_classifications.sql")));
    if (!query)
        return fail(m_statements->lastError(), "preparing a statement");
    query->bindValue(QStringLiteral(":numbers"), PgArray::literal(numbers));
    if (!query->exec())
        return fail(query->lastError(), "looking up classifications");
    while (query->next())
        matches.insert(query->value(0).toString(), {query->value(1).toString(), query->value(2).toString()});
    return matches;
}

Result<QHash<QString, WorkflowState>> PendingCallRepository::busyNumbers(const QStringList &numbers)
{
    QHash<QString, WorkflowState> busy;
    if (numbers.isEmpty())
        return busy;
    QSqlQuery *query = m_statements->prepared(SqlResource::text(QStringLiteral("engine/busy_numbers.sql")));
    if (!query)
        return fail(m_statements->lastError(), "preparing a statement");
    query->bindValue(QStringLiteral(":numbers"), PgArray::literal(numbers));
    if (!query->exec())
        return fail(query->lastError(), "checking numbers in flight");
    while (query->next()) {
        const WorkflowState state = workflow::stateFromName(query->value(1).toString());
        // A classification in flight matters more: rows waiting for one share it.
        if (state == WorkflowState::Classifying || !busy.contains(query->value(0).toString()))
            busy.insert(query->value(0).toString(), state);
    }
    return busy;
}

Status PendingCallRepository::applyDecisions(const QList<Decision> &decisions, int leaseSeconds)
{
    if (decisions.isEmpty())
        return Status::success();
    QJsonArray rows;
    for (const Decision &d : decisions) {
        QJsonObject row{{QStringLiteral("id"), d.id}};
        if (!d.lease && d.to != d.from && d.to != WorkflowState::Unknown)
            row.insert(QStringLiteral("state"), workflow::stateName(d.to));
        if (d.storeE164)
            row.insert(QStringLiteral("e164"), *d.storeE164);
        if (d.clearNextAction)
            row.insert(QStringLiteral("clear_next_action"), true);
        else if (d.nextActionAt.isValid())
            row.insert(QStringLiteral("next_action_at"), isoUtc(d.nextActionAt));
        if (!d.classificationId.isEmpty())
            row.insert(QStringLiteral("classification_id"), d.classificationId);
        if (d.lookedUp)
            row.insert(QStringLiteral("looked_up"), true);
        if (d.retryCount)
            row.insert(QStringLiteral("retry_count"), *d.retryCount);
        if (!d.lastError.isEmpty())
            row.insert(QStringLiteral("last_error"), d.lastError);
        if (!d.failureReason.isEmpty())
            row.insert(QStringLiteral("failure_reason"), d.failureReason);
        if (d.lease)
            row.insert(QStringLiteral("lease"), true);
        rows.append(row);
    }
    QSqlQuery *query
            = m_statements->prepared(SqlResource::text(QStringLiteral("engine/apply_decisions.sql")));
    if (!query)
        return fail(m_statements->lastError(), "preparing a statement");
    query->bindValue(QStringLiteral(":decisions"),
                     QString::fromUtf8(QJsonDocument(rows).toJson(QJsonDocument::Compact)));
    query->bindValue(QStringLiteral(":scheduler"), m_schedulerId);
    query->bindValue(QStringLiteral(":lease_seconds"), leaseSeconds);
    if (!query->exec())
        return fail(query->lastError(), "applying the pass's decisions");
    return Status::success();
}

Result<QList<StartedCall>> PendingCallRepository::startCalls(const QStringList &ids)
{
    QList<StartedCall> started;
    if (ids.isEmpty())
        return started;
    if (const auto began = begin(); !began) {
        rollback();
        return Error{began.error()};
    }
    QSqlQuery *query = m_statements->prepared(QStringLiteral(
            "SELECT id, kind, attempt FROM callops_start_calls(CAST(:ids AS uuid[]), :scheduler)"));
    if (!query) {
        Error error = fail(m_statements->lastError(), "preparing a statement");
        rollback();
        return error;
    }
    query->bindValue(QStringLiteral(":ids"), PgArray::literal(ids));
    query->bindValue(QStringLiteral(":scheduler"), m_schedulerId);
    if (!query->exec()) {
        Error error = fail(query->lastError(), "starting calls");
        query->finish();
        rollback();
        return error;
    }
    while (query->next())
        started.append({query->value(0).toString(), query->value(1).toString() == u"classification",
                        query->value(2).toInt()});
    query->finish();
    if (Status status = commit(); !status) {
        rollback();
        return Error{status.error()};
    }
    return started;
}

Status PendingCallRepository::releaseLeases(const QStringList &ids, int delaySeconds)
{
    return updateLeases(QStringLiteral("engine/release_leases.sql"), ids, QStringLiteral(":delay_seconds"),
                        delaySeconds, "releasing claims");
}

Status PendingCallRepository::renewLeases(const QStringList &ids, int leaseSeconds)
{
    return updateLeases(QStringLiteral("engine/renew_leases.sql"), ids, QStringLiteral(":lease_seconds"),
                        leaseSeconds, "renewing claims");
}

Status PendingCallRepository::updateLeases(const QString &statement, const QStringList &ids,
                                           const QString &secondsPlaceholder, int seconds, const char *what)
{
    if (ids.isEmpty())
        return Status::success();
    QSqlQuery *query = m_statements->prepared(SqlResource::text(statement));
    if (!query)
        return fail(m_statements->lastError(), "preparing a statement");
    query->bindValue(QStringLiteral(":ids"), PgArray::literal(ids));
    query->bindValue(QStringLiteral(":scheduler"), m_schedulerId);
    query->bindValue(secondsPlaceholder, seconds);
    if (!query->exec())
        return fail(query->lastError(), what);
    return Status::success();
}

Status PendingCallRepository::releaseAllLeases()
{
    QSqlQuery *query
            = m_statements->prepared(SqlResource::text(QStringLiteral("engine/release_all_leases.sql")));
    if (!query)
        return fail(m_statements->lastError(), "preparing a statement");
    query->bindValue(QStringLiteral(":scheduler"), m_schedulerId);
    if (!query->exec())
        return fail(query->lastError(), "releasing claims");
    return Status::success();
}

Result<PostFailureApplied> PendingCallRepository::recordPostFailure(const QString &id, int attempt,
                                                                    bool classification, bool transient,
                                                                    bool counted, const QString &error,
                                                                    int backoffSeconds)
{
    if (const auto began = begin(); !began) {
        rollback();
        return Error{began.error()};
    }
    QSqlQuery *query = m_statements->prepared(QStringLiteral(
            "SELECT moved, from_state, to_state "
            "FROM callops_record_post_failure(CAST(:id AS uuid), :attempt, :kind, :transient, :error, "
            ":backoff, :counted)"));
    if (!query) {
        Error error = fail(m_statements->lastError(), "preparing a statement");
        rollback();
        return error;
    }
    query->bindValue(QStringLiteral(":id"), id);
    query->bindValue(QStringLiteral(":attempt"), attempt);
    query->bindValue(QStringLiteral(":kind"),
                     classification ? QStringLiteral("classification") : QStringLiteral("task"));
    query->bindValue(QStringLiteral(":transient"), transient);
    query->bindValue(QStringLiteral(":counted"), counted);
    query->bindValue(QStringLiteral(":error"), error);
    query->bindValue(QStringLiteral(":backoff"), backoffSeconds);
    if (!query->exec() || !query->next()) {
        Error failure = fail(query->lastError(), "recording a failed call request");
        query->finish();
        rollback();
        return failure;
    }
    PostFailureApplied applied{query->value(0).toBool(), query->value(1).toString(),
                               query->value(2).toString()};
    query->finish();
    if (Status status = commit(); !status)
        return Error{status.error()};
    return applied;
}

Result<QStringList> PendingCallRepository::rescueInFlight(int timeoutSeconds)
{
    if (const auto began = begin(); !began) {
        rollback();
        return Error{began.error()};
    }
    QSqlQuery *query
            = m_statements->prepared(QStringLiteral("SELECT id FROM callops_rescue_inflight(:timeout)"));
    if (!query) {
        Error error = fail(m_statements->lastError(), "preparing a statement");
        rollback();
        return error;
    }
    query->bindValue(QStringLiteral(":timeout"), timeoutSeconds);
    if (!query->exec()) {
        Error failure = fail(query->lastError(), "rescuing calls stuck in flight");
        query->finish();
        rollback();
        return failure;
    }
    QStringList ids;
    while (query->next())
        ids.append(query->value(0).toString());
    query->finish();
    if (Status status = commit(); !status)
        return Error{status.error()};
    return ids;
}

Result<QDateTime> PendingCallRepository::reserveCallSlot(double callsPerSecond)
{
    QSqlQuery *query = m_statements->prepared(
            QStringLiteral("SELECT callops_reserve_call_slot(make_interval(secs => :spacing))"));
    if (!query)
        return fail(m_statements->lastError(), "preparing a statement");
    query->bindValue(QStringLiteral(":spacing"), 1.0 / callsPerSecond);
    if (!query->exec() || !query->next())
        return fail(query->lastError(), "reserving a call slot");
    return query->value(0).toDateTime();
}

Result<int> PendingCallRepository::normaliseClassificationNumbers(const PhoneNumberNormalizer &normalizer,
                                                                  int limit)
{
    QSqlQuery *query = m_statements->prepared(
            SqlResource::text(QStringLiteral("engine/classifications_to_normalise.sql")));
    if (!query)
        return fail(m_statements->lastError(), "preparing a statement");
    query->bindValue(QStringLiteral(":limit"), limit);
    if (!query->exec())
        return fail(query->lastError(), "reading classifications to normalise");
    QJsonArray rows;
    while (query->next()) {
        const auto normalised = normalizer.normalize(query->value(1).toString());
        rows.append(QJsonObject{{QStringLiteral("id"), query->value(0).toString()},
                                {QStringLiteral("e164"), normalised ? normalised->e164 : QString()}});
    }
    query->finish();
    if (rows.isEmpty())
        return 0;
    QSqlQuery *update = m_statements->prepared(
            SqlResource::text(QStringLiteral("engine/store_classification_numbers.sql")));
    if (!update)
        return fail(m_statements->lastError(), "preparing a statement");
    update->bindValue(QStringLiteral(":numbers"),
                      QString::fromUtf8(QJsonDocument(rows).toJson(QJsonDocument::Compact)));
    if (!update->exec())
        return fail(update->lastError(), "storing normalised classification numbers");
    return int(rows.size());
}

Result<QList<RowNeedingAttention>> PendingCallRepository::rowsNeedingAttention()
{
    QSqlQuery *query
            = m_statements->prepared(SqlResource::text(QStringLiteral("engine/rows_needing_attention.sql")));
    if (!query)
        return fail(m_statements->lastError(), "preparing a statement");
    query->bindValue(QStringLiteral(":known"), knownStates());
    query->bindValue(QStringLiteral(":actionable"), actionableStates());
    if (!query->exec())
        return fail(query->lastError(), "looking for rows in unknown states");
    QList<RowNeedingAttention> rows;
    while (query->next())
        rows.append({query->value(0).toString(), query->value(1).toString(), query->value(2).toBool()});
    return rows;
}

Status PendingCallRepository::noteOnRows(const QStringList &ids, const QStringList &messages)
{
    if (ids.isEmpty())
        return Status::success();
    QSqlQuery *query = m_statements->prepared(
            QStringLiteral("UPDATE pending_calls p SET last_error = n.message "
                           "FROM unnest(CAST(:ids AS uuid[]), CAST(:messages AS text[])) AS n(id, message) "
                           "WHERE p.id = n.id AND p.last_error IS DISTINCT FROM n.message"));
    if (!query)
        return fail(m_statements->lastError(), "preparing a statement");
    query->bindValue(QStringLiteral(":ids"), PgArray::literal(ids));
    query->bindValue(QStringLiteral(":messages"), PgArray::literal(messages));
    if (!query->exec())
        return fail(query->lastError(), "noting errors on calls");
    return Status::success();
}

Result<QDateTime> PendingCallRepository::nextDue()
{
    QSqlQuery *query = m_statements->prepared(SqlResource::text(QStringLiteral("engine/next_due.sql")));
    if (!query)
        return fail(m_statements->lastError(), "preparing a statement");
    query->bindValue(QStringLiteral(":states"), actionableStates());
    if (!query->exec())
        return fail(query->lastError(), "reading the next due time");
    const QDateTime due = query->next() ? query->value(0).toDateTime() : QDateTime();
    query->finish();
    return due;
}

} // namespace callops
