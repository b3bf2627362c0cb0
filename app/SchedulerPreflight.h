#pragma once

#include <QList>
#include <QString>

class QSqlDatabase;

namespace callops {

class ConnectionSettings;

// What the scheduler finds on its database before it starts: the login, the scheduler's grants,
// the migrations and, if asked, the guide's pg_cron scheduler and the schedulers already running
// there. `callops --no-gui` stops at the first problem; `callops --check` prints every finding.
class SchedulerPreflight
{
public:
    struct Finding
    {
        enum class Kind { Ok, Note, Problem };
        Kind kind = Kind::Ok;
        QString text;
    };
    struct Report
    {
        QList<Finding> findings;
        int exitCode = 0; // the first problem's (ExitCode), 0 when there is none
        QString problem; // the first problem's text
    };

    struct Looks
    {
        bool guideScheduler = false;
        bool otherSchedulers = false; // a note naming them, for an operator about to start one
    };
    static Report run(const ConnectionSettings &database, Looks looks);
    static Report run(const ConnectionSettings &database) { return run(database, Looks{}); }
    // Whether the guide's pg_cron scheduler is still active on `db` (a Problem: no calls while it
    // is), with how to remove it.
    static Finding guideScheduler(const QSqlDatabase &db);
};

} // namespace callops
