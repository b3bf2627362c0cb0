#pragma once

#include "TransitionTable.h"

#include <QList>
#include <QString>

namespace callops {

// What a dispatcher can do to calls from the console. Which action is allowed from which state
// is not decided here: each action is an event of the transition table.
enum class ManualAction : quint8 { RetryNow, ResetStuck, MarkFailed, Reclassify };

namespace manualActions {

const QList<ManualAction> &all();
WorkflowEvent event(ManualAction action);
bool allowedFrom(ManualAction action, WorkflowState state);
// The state a call in `state` moves to, Unknown when the action is not allowed from there.
WorkflowState targetFrom(ManualAction action, WorkflowState state);
QList<WorkflowState> allowedStates(ManualAction action);
// Mark failed asks for a reason; the others take one but do not insist.
bool reasonRequired(ManualAction action);

// Stable identifier ("retry_now") for logs, SQL functions and the history.
QString actionName(ManualAction action);
// Translated label for menus and buttons ("Retry now").
QString actionLabel(ManualAction action);

} // namespace manualActions
} // namespace callops
