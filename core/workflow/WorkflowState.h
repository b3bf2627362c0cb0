#pragma once

#include <QList>
#include <QString>
#include <QStringView>

namespace callops {

// The guide's eleven workflow states, plus Unknown for any string another writer put in the
// column that we do not know: such rows are represented and reported, never crashed on.
enum class WorkflowState : quint8 {
    New,
    CheckingClassification,
    NeedsClassification,
    Classifying,
    ClassificationPending,
    ReadyToCall,
    Calling,
    RetryPending,
    Completed,
    Failed,
    ClassificationFailed,
    Unknown,
};

// How the scheduler and the console group states.
enum class StateGroup : quint8 {
    Actionable, // picked by the scheduler when next_action_at <= now()
    InFlight, // a call is under way; only an outcome or the in-flight timeout moves it
    Terminal,
    Unknown,
};

namespace workflow {

// The eleven known states in the guide's order (Unknown excluded).
const QList<WorkflowState> &knownStates();
QList<WorkflowState> statesInGroup(StateGroup group);

// The name stored in pending_calls.workflow_state ("ready_to_call").
QString stateName(WorkflowState state);
// Unknown for any string that is not one of the eleven names (exact, case-sensitive, as the
// database's check constraint is).
WorkflowState stateFromName(QStringView name);

StateGroup stateGroup(WorkflowState state);
bool isActionable(WorkflowState state);
bool isInFlight(WorkflowState state);
bool isTerminal(WorkflowState state);

// Translated label for people ("Ready to call").
QString stateLabel(WorkflowState state);
QString groupLabel(StateGroup group);

// Names of the states of one group, for SQL parameters such as `workflow_state = ANY(:states)`.
QStringList stateNames(StateGroup group);
// A PostgreSQL array literal of those names ("{new,ready_to_call}") to bind as text and cast.
QString stateNamesArrayLiteral(StateGroup group);

} // namespace workflow
} // namespace callops
