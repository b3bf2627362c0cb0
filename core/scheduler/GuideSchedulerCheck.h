#pragma once

#include <QList>
#include <QSqlDatabase>
#include <QString>

namespace callops {

// Whether the scheduler CallOps replaces still runs on this database: the guide's Step 6, a
// pg_cron job (`call-scheduler`) that posts to the `scheduler` Edge Function every 5 minutes.
// That function claims and dials calls without leases or SKIP LOCKED, so while it is active a
// call this engine has just started can be dialled again (DESIGN.md, guarantee 1). The engine
// places no calls while look() finds such a job.
class GuideSchedulerCheck final
{
public:
    struct Job
    {
        qint64 id = 0;
        QString name; // empty for a job scheduled without one
        QString schedule;
        QString owner;
    };
    struct Finding
    {
        enum class Kind {
            None, // no such job active, or pg_cron not installed here
            Active, // jobs lists them
            Unknown, // the check cannot tell: note says why
        };
        Kind kind = Kind::None;
        QList<Job> jobs;
        // Unknown: why the check cannot tell. None: what it could not see (the jobs of other
        // users, hidden by row-level security), else empty.
        QString note;
        bool connectionLost = false;
    };

    // The guide's name for the job and the path its command posts to.
    static QString jobName();
    static QString functionPath();

    explicit GuideSchedulerCheck(const QSqlDatabase &db);

    Finding look() const;

    // What an operator runs to stop the job: unschedule it, or keep it but switch it off.
    static QString unscheduleStatement(const Job &job);
    static QString deactivateStatement(const Job &job);

    // The jobs found, said for a message: which ones (id, name, schedule), who may remove them, and
    // the statements that do.
    struct Remedy
    {
        QString jobs;
        QString owners;
        QString unschedule;
        QString deactivate;
    };
    static Remedy remedy(const QList<Job> &jobs);

private:
    QSqlDatabase m_db;
};

} // namespace callops
