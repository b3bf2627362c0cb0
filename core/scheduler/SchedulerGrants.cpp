#include "SchedulerGrants.h"

#include "db/DatabaseConnection.h"
#include "db/SqlResource.h"

#include <QCoreApplication>
#include <QSqlError>
#include <QSqlQuery>

namespace callops {
namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(SchedulerGrants)
};

} // namespace

Result<SchedulerGrants> SchedulerGrants::check(const QSqlDatabase &db)
{
    QSqlQuery query(db);
    if (!query.exec(SqlResource::text(QStringLiteral("engine/missing_grants.sql"))))
        return Error{DatabaseConnection::describeError(query.lastError())};
    SchedulerGrants grants;
    while (query.next()) {
        grants.m_role = query.value(0).toString();
        grants.m_missing.append(query.value(1).toString());
    }
    return grants;
}

QString SchedulerGrants::message(const QString &target) const
{
    if (complete())
        return {};
    return Text::tr("The database role %1 may not do what the scheduler does on %2 (%3): log in as a role "
                    "granted callops_scheduler (as the database's owner: GRANT callops_scheduler TO %1), "
                    "or have these granted.")
            .arg(m_role, target, m_missing.join(QStringLiteral(", ")));
}

} // namespace callops
