#include "SchedulerPresence.h"

#include "PendingCallRepository.h"
#include "db/DatabaseConnection.h"
#include "db/SqlResource.h"

#include <QCoreApplication>
#include <QSqlError>
#include <QSqlQuery>
#include <QSysInfo>
#include <QVariant>

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

} // namespace callops
