#pragma once

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>

namespace callops {

// A scheduler running on the database as it last reported itself (callops_scheduler_presence):
// wherever it runs, a server's service or another dispatcher's console. Ages are the database's.
struct SchedulerSighting
{
    QString schedulerId;
    QString host;
    qint64 pid = 0;
    QString startedBy; // the dispatcher who started it in a console; empty: a service
    QDateTime startedAt;
    qint64 seenSecondsAgo = 0;
    qint64 lastPassSecondsAgo = -1; // -1: no pass yet
    bool paused = false;
    QString heldReason; // why it places no calls; empty: it does

    bool operator==(const SchedulerSighting &other) const = default;
};

} // namespace callops

Q_DECLARE_METATYPE(callops::SchedulerSighting)
