#include "SchedulerGrants.h"

#include "db/RolePrivileges.h"

#include <QCoreApplication>

namespace callops {
namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(SchedulerGrants)
};

} // namespace

Result<SchedulerGrants> SchedulerGrants::check(const QSqlDatabase &db)
{
    // The grants migrations 0020, 0021, 0024 and 0028 give callops_scheduler (FOR UPDATE needs UPDATE),
    // in the order the message has named them.
    const auto lacking = RolePrivileges::lacking(
            db,
            {{QStringLiteral("call_classifications"), QStringLiteral("INSERT")},
             {QStringLiteral("call_classifications"), QStringLiteral("SELECT")},
             {QStringLiteral("call_classifications"), QStringLiteral("UPDATE")},
             {QStringLiteral("call_sessions"), QStringLiteral("INSERT")},
             {QStringLiteral("call_sessions"), QStringLiteral("SELECT")},
             {QStringLiteral("callops_rate_limit"), QStringLiteral("INSERT")},
             {QStringLiteral("callops_rate_limit"), QStringLiteral("SELECT")},
             {QStringLiteral("callops_rate_limit"), QStringLiteral("UPDATE")},
             {QStringLiteral("callops_scheduler_presence"), QStringLiteral("DELETE")},
             {QStringLiteral("callops_scheduler_presence"), QStringLiteral("INSERT")},
             {QStringLiteral("callops_scheduler_presence"), QStringLiteral("SELECT")},
             {QStringLiteral("callops_scheduler_presence"), QStringLiteral("UPDATE")},
             {QStringLiteral("pending_calls"), QStringLiteral("SELECT")},
             {QStringLiteral("pending_calls"), QStringLiteral("UPDATE")},
             {QStringLiteral("schema_migrations"), QStringLiteral("SELECT")}},
            {QStringLiteral("callops_record_classification"), QStringLiteral("callops_record_post_failure"),
             QStringLiteral("callops_record_task_result"), QStringLiteral("callops_record_task_results"),
             QStringLiteral("callops_reserve_call_slot"), QStringLiteral("callops_rescue_inflight"),
             QStringLiteral("callops_start_calls")});
    if (!lacking)
        return Error{lacking.error()};
    SchedulerGrants grants;
    grants.m_role = lacking->role;
    grants.m_missing = lacking->describe();
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
