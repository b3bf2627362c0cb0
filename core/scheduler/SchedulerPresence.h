#pragma once

#include "SchedulerSighting.h"
#include "common/Result.h"

#include <QDateTime>
#include <QList>
#include <QSqlDatabase>
#include <QString>

namespace callops {

// What a running engine tells the consoles about itself (callops_scheduler_presence, migration 0028):
// which machine and process, who started it, whether it is paused or holding calls, when it last
// ran a pass. A dispatcher's console otherwise cannot tell a scheduler running headless on a server
// from none at all. The engine reports when it connects, every kReportSeconds and when its state
// changes, and withdraws when it stops; a row not reported for kStaleSeconds is of an engine gone.
class SchedulerPresence final
{
public:
    static constexpr int kReportSeconds = 30;
    static constexpr int kStaleSeconds = 3 * kReportSeconds;

    struct State
    {
        bool paused = false;
        QDateTime lastPassAt; // the database's time; invalid: no pass yet
        QString heldReason; // empty: calls are not held
    };

    struct Outcome
    {
        QString error; // empty: written
        bool connectionLost = false;
        bool ok() const { return error.isEmpty(); }
    };

    // startedBy: the dispatcher who started the engine in a console; empty for a service.
    SchedulerPresence(const QSqlDatabase &db, QString schedulerId, QString startedBy);

    Outcome report(const State &state) const;
    Outcome withdraw() const;

    // The schedulers that have reported within `withinSeconds` (kStaleSeconds: the ones running),
    // the longest running first; ages by the database's clock.
    static Result<QList<SchedulerSighting>> seen(const QSqlDatabase &db, int withinSeconds = kStaleSeconds);

private:
    QSqlDatabase m_db;
    QString m_schedulerId;
    QString m_startedBy;
};

} // namespace callops
