#pragma once

#include "workflow/ManualAction.h"

#include <QList>
#include <QMetaType>
#include <QString>

namespace callops {

// What a manual action did: which calls moved from which state to which. Calls the action was not
// allowed from are left alone and not listed.
struct ActionOutcome
{
    struct Change
    {
        QString id;
        QString fromState;
        QString toState;
    };

    ManualAction action = ManualAction::RetryNow;
    qint64 requested = 0; // rows asked for (selected, or matching the filter when known)
    QList<Change> changes;
    QString error; // empty on success

    bool ok() const { return error.isEmpty(); }
    qint64 changed() const { return changes.size(); }
};

} // namespace callops

Q_DECLARE_METATYPE(callops::ActionOutcome)
