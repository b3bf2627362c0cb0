#include "SchedulerPresence.h"

#include "PendingCallRepository.h"
#include "db/DatabaseConnection.h"
#include "db/SqlResource.h"

#include <QCoreApplication>
#include <QSqlError>
#include <QSqlQuery>
#include <QSysInfo>
#include <QVariant>

#include <algorithm>

namespace callops {

namespace {

SchedulerPresence::Outcome outcomeOf(QSqlQuery &query, const QSqlDatabase &db)
{
    if (query.exec())
        return {};
    return {DatabaseConnection::describeError(query.lastError()),
            PendingCallRepository::isConnectionLost(query.lastError(), db)};
}

} // namespace

SchedulerPresence::SchedulerPresence(const QSqlDatabase &db, QString schedulerId, QString startedBy)
    : m_db(db)
    , m_schedulerId(std::move(schedulerId))
    , m_startedBy(std::move(startedBy))
{ }

SchedulerPresence::Outcome SchedulerPresence::report(const State &state) const
{
    QSqlQuery query(m_db);
    query.prepare(SqlResource::text(QStringLiteral("engine/report_presence.sql")));
    query.bindValue(QStringLiteral(":scheduler"), m_schedulerId);
    query.bindValue(QStringLiteral(":host"), QSysInfo::machineHostName());
    query.bindValue(QStringLiteral(":pid"), QCoreApplication::applicationPid());
    query.bindValue(QStringLiteral(":started_by"),
                    m_startedBy.isEmpty() ? QVariant() : QVariant(m_startedBy));
    query.bindValue(QStringLiteral(":last_pass_at"),
                    state.lastPassAt.isValid() ? QVariant(state.lastPassAt.toUTC()) : QVariant());
    query.bindValue(QStringLiteral(":paused"), state.paused);
    query.bindValue(QStringLiteral(":held_reason"),
                    state.heldReason.isEmpty() ? QVariant() : QVariant(state.heldReason));
    return outcomeOf(query, m_db);
}

SchedulerPresence::Outcome SchedulerPresence::withdraw() const
{
    QSqlQuery query(m_db);
    query.prepare(SqlResource::text(QStringLiteral("engine/withdraw_presence.sql")));
    query.bindValue(QStringLiteral(":scheduler"), m_schedulerId);
    return outcomeOf(query, m_db);
}

Result<QList<SchedulerSighting>> SchedulerPresence::seen(const QSqlDatabase &db, int withinSeconds)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    query.prepare(SqlResource::text(QStringLiteral("session/schedulers_seen.sql")));
    query.bindValue(QStringLiteral(":within"), withinSeconds);
    if (!query.exec())
        return Error{DatabaseConnection::describeError(query.lastError())};
    QList<SchedulerSighting> seen;
    while (query.next())
        seen.append({query.value(0).toString(), query.value(1).toString(), query.value(2).toLongLong(),
                     query.value(3).toString(), query.value(4).toDateTime(),
                     std::max<qint64>(0, query.value(5).toLongLong()), query.value(6).toLongLong(),
                     query.value(7).toBool(), query.value(8).toString()});
    if (query.lastError().isValid())
        return Error{DatabaseConnection::describeError(query.lastError())};
    return seen;
}

} // namespace callops
