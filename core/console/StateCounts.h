#pragma once

#include "workflow/WorkflowState.h"

#include <QMap>
#include <QMetaType>
#include <QString>

namespace callops {

// How many calls are in each state, keyed by the raw workflow_state text (so states written by
// someone else are counted too), and how many are stuck.
struct StateCounts
{
    QMap<QString, qint64> byState;
    qint64 stuck = 0;
    qint64 total = 0;

    qint64 count(WorkflowState state) const
    {
        if (state != WorkflowState::Unknown)
            return byState.value(workflow::stateName(state));
        qint64 unknown = 0;
        for (auto it = byState.cbegin(); it != byState.cend(); ++it) {
            if (workflow::stateFromName(it.key()) == WorkflowState::Unknown)
                unknown += it.value();
        }
        return unknown;
    }
};

} // namespace callops

Q_DECLARE_METATYPE(callops::StateCounts)
