#include "GuideSchedulerCheck.h"

#include "PendingCallRepository.h"
#include "db/DatabaseConnection.h"
#include "db/SqlResource.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace callops {

QString GuideSchedulerCheck::jobName()
{
    return QStringLiteral("call-scheduler");
}

QString GuideSchedulerCheck::functionPath()
{
    return QStringLiteral("/functions/v1/scheduler");
}

GuideSchedulerCheck::GuideSchedulerCheck(const QSqlDatabase &db)
    : m_db(db)
{ }

GuideSchedulerCheck::Finding GuideSchedulerCheck::look() const
{
    Finding finding;
    auto failed = [&](const QSqlQuery &query) {
        finding.kind = Finding::Kind::Unknown;
        finding.note = DatabaseConnection::describeError(query.lastError());
        finding.connectionLost = PendingCallRepository::isConnectionLost(query.lastError(), m_db);
        return finding;
    };

    QSqlQuery access(m_db);
    if (!access.exec(SqlResource::text(QStringLiteral("engine/cron_job_access.sql"))) || !access.next())
        return failed(access);
    if (!access.value(0).toBool())
        return finding; // no pg_cron here: no job of it can run the old scheduler
    const QString user = access.value(3).toString();
    if (!access.value(1).toBool()) {
        finding.kind = Finding::Kind::Unknown;
        finding.note = QStringLiteral("user %1 may not read cron.job").arg(user);
        return finding;
    }

    QSqlQuery jobs(m_db);
    jobs.prepare(SqlResource::text(QStringLiteral("engine/guide_scheduler_jobs.sql")));
    jobs.bindValue(QStringLiteral(":name"), jobName());
    // The path and nothing longer: `/functions/v1/scheduler-report` would be another function.
    // None of the path's characters is special in a regular expression.
    jobs.bindValue(QStringLiteral(":command"),
                   QString(functionPath() + QStringLiteral("([^A-Za-z0-9_-]|$)")));
    if (!jobs.exec())
        return failed(jobs);
    while (jobs.next())
        finding.jobs.append({jobs.value(0).toLongLong(), jobs.value(1).toString(), jobs.value(2).toString(),
                             jobs.value(3).toString()});
    if (!finding.jobs.isEmpty())
        finding.kind = Finding::Kind::Active;
    else if (access.value(2).toBool())
        finding.note = QStringLiteral("only the jobs of user %1 are visible to it (row-level security on "
                                      "cron.job)")
                               .arg(user);
    return finding;
}

QString GuideSchedulerCheck::unscheduleStatement(const Job &job)
{
    // By name when it has one, as the guide made it; a job without a name only by its id.
    if (job.name.isEmpty())
        return QStringLiteral("SELECT cron.unschedule(%1);").arg(job.id);
    QString quoted = job.name;
    quoted.replace(u'\'', QStringLiteral("''"));
    return QStringLiteral("SELECT cron.unschedule('%1');").arg(quoted);
}

QString GuideSchedulerCheck::deactivateStatement(const Job &job)
{
    return QStringLiteral("SELECT cron.alter_job(%1, active := false);").arg(job.id);
}

GuideSchedulerCheck::Remedy GuideSchedulerCheck::remedy(const QList<Job> &jobs)
{
    QStringList described;
    QStringList owners;
    QStringList unschedule;
    QStringList deactivate;
    for (const Job &job : jobs) {
        described.append(job.name.isEmpty()
                                 ? QStringLiteral("%1 (%2)").arg(job.id).arg(job.schedule)
                                 : QStringLiteral("%1 \"%2\" (%3)").arg(job.id).arg(job.name, job.schedule));
        unschedule.append(unscheduleStatement(job));
        deactivate.append(deactivateStatement(job));
        if (!owners.contains(job.owner))
            owners.append(job.owner);
    }
    return {described.join(QStringLiteral(", ")), owners.join(QStringLiteral(", ")), unschedule.join(u' '),
            deactivate.join(u' ')};
}

} // namespace callops
