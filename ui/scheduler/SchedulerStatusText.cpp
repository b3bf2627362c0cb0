#include "SchedulerStatusText.h"

#include "ClockText.h"
#include "scheduler/SchedulerPresence.h"

#include <QCoreApplication>
#include <QSysInfo>

namespace callops {
namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(SchedulerStatusText)
};

// "srv-1" for a service, "desk-7 (console of maria)" for one started in a console.
QString where(const SchedulerSighting &sighting)
{
    if (sighting.startedBy.isEmpty())
        return sighting.host;
    return Text::tr("%1 (console of %2)").arg(sighting.host, sighting.startedBy);
}

// The schedulers `seen` but this console's own engine.
QList<SchedulerSighting> othersThan(const QList<SchedulerSighting> &seen)
{
    QList<SchedulerSighting> others;
    for (const SchedulerSighting &sighting : seen) {
        if (!SchedulerStatusText::isThisProcess(sighting))
            others.append(sighting);
    }
    return others;
}

} // namespace

bool SchedulerStatusText::isThisProcess(const SchedulerSighting &sighting)
{
    return sighting.pid == QCoreApplication::applicationPid() && sighting.host == QSysInfo::machineHostName();
}

QStringList SchedulerStatusText::elsewhere(const QList<SchedulerSighting> &seen)
{
    QStringList places;
    for (const SchedulerSighting &other : othersThan(seen))
        places << where(other);
    return places;
}

QString SchedulerStatusText::describe(const SchedulerSighting &sighting)
{
    QStringList parts;
    parts << (sighting.startedBy.isEmpty()
                      ? Text::tr("%1, process %2, a service, running since %3")
                                .arg(sighting.host)
                                .arg(sighting.pid)
                                .arg(clockText::of(sighting.startedAt.toLocalTime()))
                      : Text::tr("%1, process %2, started in the console of %3 at %4")
                                .arg(sighting.host)
                                .arg(sighting.pid)
                                .arg(sighting.startedBy, clockText::of(sighting.startedAt.toLocalTime())));
    if (!sighting.heldReason.isEmpty())
        parts << Text::tr("holding calls: %1").arg(sighting.heldReason);
    else if (sighting.paused)
        parts << Text::tr("paused");
    parts << (sighting.lastPassSecondsAgo < 0
                      ? Text::tr("no pass yet")
                      : Text::tr("last pass %n s ago", nullptr, int(sighting.lastPassSecondsAgo)));
    parts << Text::tr("reported %n s ago", nullptr, int(sighting.seenSecondsAgo));
    return parts.join(QStringLiteral("; "));
}

SchedulerStatusText::Shown SchedulerStatusText::describe(const QString &localState, bool localRunning,
                                                         const std::optional<QList<SchedulerSighting>> &seen)
{
    if (!seen)
        return {localState, {}};
    const QList<SchedulerSighting> others = othersThan(*seen);
    Shown shown;
    if (localRunning) {
        shown.text = others.isEmpty()
                ? localState
                : Text::tr("%1 · %n more elsewhere", nullptr, int(others.size())).arg(localState);
    } else if (others.isEmpty()) {
        shown.text = Text::tr("Scheduler: none running on this database");
        shown.noneRunning = true;
        shown.toolTip
                = Text::tr("No CallOps scheduler has reported itself in the last %n s: no calls are placed "
                           "until one runs (Scheduler ▸ Start here, or callops --no-gui on a server). "
                           "Schedulers of a CallOps older than the database's migration 0028 run without "
                           "reporting themselves.",
                           nullptr, SchedulerPresence::kStaleSeconds);
        return shown;
    } else if (others.size() == 1) {
        const SchedulerSighting &other = others.first();
        shown.text = !other.heldReason.isEmpty()
                ? Text::tr("Scheduler: holding calls on %1").arg(where(other))
                : other.paused ? Text::tr("Scheduler: paused on %1").arg(where(other))
                               : Text::tr("Scheduler: running on %1").arg(where(other));
    } else {
        shown.text = Text::tr("Schedulers: %n running elsewhere", nullptr, int(others.size()));
    }
    QStringList lines{shown.text};
    for (const SchedulerSighting &other : others)
        lines << describe(other);
    shown.toolTip = lines.join(u'\n');
    return shown;
}

} // namespace callops
