#include "ManualAction.h"

#include <QCoreApplication>

namespace callops::manualActions {

const QList<ManualAction> &all()
{
    static const QList<ManualAction> actions{ManualAction::RetryNow, ManualAction::ResetStuck,
                                             ManualAction::MarkFailed, ManualAction::Reclassify};
    return actions;
}

WorkflowEvent event(ManualAction action)
{
    switch (action) {
    case ManualAction::RetryNow:
        return WorkflowEvent::ManualRetryNow;
    case ManualAction::ResetStuck:
        return WorkflowEvent::ManualResetStuck;
    case ManualAction::MarkFailed:
        return WorkflowEvent::ManualMarkFailed;
    case ManualAction::Reclassify:
        return WorkflowEvent::ManualReclassify;
    }
    return WorkflowEvent::ManualMarkFailed;
}

bool allowedFrom(ManualAction action, WorkflowState state)
{
    return transitions::allows(state, event(action));
}

WorkflowState targetFrom(ManualAction action, WorkflowState state)
{
    return transitions::target(state, event(action));
}

QList<WorkflowState> allowedStates(ManualAction action)
{
    QList<WorkflowState> states;
    for (const auto &t : transitions::all()) {
        if (t.event == event(action))
            states.append(t.from);
    }
    return states;
}

bool reasonRequired(ManualAction action)
{
    return action == ManualAction::MarkFailed;
}

QString actionName(ManualAction action)
{
    switch (action) {
    case ManualAction::RetryNow:
        return QStringLiteral("retry_now");
    case ManualAction::ResetStuck:
        return QStringLiteral("reset_stuck");
    case ManualAction::MarkFailed:
        return QStringLiteral("mark_failed");
    case ManualAction::Reclassify:
        return QStringLiteral("reclassify");
    }
    return {};
}

QString actionLabel(ManualAction action)
{
    switch (action) {
    case ManualAction::RetryNow:
        return QCoreApplication::translate("ManualAction", "Retry now");
    case ManualAction::ResetStuck:
        return QCoreApplication::translate("ManualAction", "Reset stuck");
    case ManualAction::MarkFailed:
        return QCoreApplication::translate("ManualAction", "Mark failed");
    case ManualAction::Reclassify:
        return QCoreApplication::translate("ManualAction", "Re-classify");
    }
    return {};
}

} // namespace callops::manualActions
