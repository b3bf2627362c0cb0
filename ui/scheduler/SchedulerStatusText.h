#pragma once

#include "scheduler/SchedulerSighting.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace callops {

// What the status bar says of the schedulers: this console's own engine (the Scheduler panel's
// state) and the ones running elsewhere on the same database, as they report themselves
// (callops_scheduler_presence): a server's service, another dispatcher's console. Without the
// others a dispatcher could not tell a scheduler running on a server from none at all.
class SchedulerStatusText
{
public:
    struct Shown
    {
        QString text;
        QString toolTip;
        bool noneRunning = false; // nothing places calls on this database: worth the eye
    };

    // localState: the panel's line; seen: every scheduler the database knows of, this console's
    // own engine among them (recognised by this machine and process); nullopt when the console
    // could not read them (not connected yet, a database not migrated that far, no grant).
    static Shown describe(const QString &localState, bool localRunning,
                          const std::optional<QList<SchedulerSighting>> &seen);

    // One scheduler, for the tooltip: where, who started it, how it is doing.
    static QString describe(const SchedulerSighting &sighting);

    static bool isThisProcess(const SchedulerSighting &sighting);
    // Where the others run, one each: "srv-1", "desk-7 (console of maria)".
    static QStringList elsewhere(const QList<SchedulerSighting> &seen);
};

} // namespace callops
