#pragma once

#include "TestCluster.h"

#include <QSqlDatabase>
#include <QString>
#include <QTemporaryDir>

namespace callops::test {

// A PostgreSQL cluster of one test's own with pg_cron loaded (Debian: postgresql-15-cron) and its
// extension created in `postgres`, migrated for CallOps: a Supabase database as the guide left it,
// where the old scheduler's job can be scheduled. Not the shared fixture's cluster: pg_cron runs a
// background worker and serves one database per cluster (cron.database_name), while the other
// tests each make a database of their own. Stopped and deleted when this goes away.
class CronCluster
{
public:
    CronCluster();
    ~CronCluster();
    CronCluster(const CronCluster &) = delete;
    CronCluster &operator=(const CronCluster &) = delete;

    bool isValid() const { return m_error.isEmpty(); }
    QString error() const { return m_error; }

    // The superuser on the migrated database with pg_cron.
    ConnectionSettings settings() const { return m_cluster.superuser(); }
    // A login role that has the scheduler's least-privilege role (migration 0020) and nothing
    // of pg_cron: it cannot read cron.job.
    ConnectionSettings schedulerRole() const;
    // A connection of the calling thread, as the superuser.
    QSqlDatabase connection() const;
    // Runs SQL as the superuser; false and a warning naming the statement when it fails.
    bool exec(const QString &sql) const;
    // Schedules the guide's job as its Step 6 does; returns its job id, 0 on failure.
    qint64 scheduleGuideJob(const QString &name = QStringLiteral("call-scheduler")) const;

private:
    QTemporaryDir m_dir;
    QString m_envFile;
    bool m_started = false;
    TestCluster m_cluster;
    QString m_error;
};

} // namespace callops::test
