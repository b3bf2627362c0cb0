#pragma once

#include "workflow/WorkflowState.h"

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>

namespace callops {

// What the console's table shows: a filter and a sort order, applied in SQL (never in a proxy
// model) so that they stay fast at a million rows. Empty members do not filter.
struct CallFilter
{
    QList<WorkflowState> states; // empty: every state
    bool stuckOnly = false;
    QString clinic;
    QString failureReason;
    QDateTime since; // on state_changed_at, inclusive
    QDateTime until; // exclusive
    // "In state for up to N": counted back from the moment each query runs, so that a refresh
    // an hour later still means the last hour. 0: no limit.
    qint64 inStateAtMostSeconds = 0;
    QString search; // exam id, employee, clinic, or a phone number in any format

    bool operator==(const CallFilter &other) const = default;
};

struct CallSort
{
    enum class Key { ExamId, Employee, Clinic, Phone, State, Retries, NextAction, LastError, Updated };
    Key key = Key::Updated;
    bool descending = true;

    bool operator==(const CallSort &other) const = default;
};

} // namespace callops

Q_DECLARE_METATYPE(callops::CallFilter)
Q_DECLARE_METATYPE(callops::CallSort)
