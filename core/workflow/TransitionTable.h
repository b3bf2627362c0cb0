#pragma once

#include "WorkflowState.h"

#include <QList>
#include <span>

namespace callops {

// What makes a pending call change state. Each row of DESIGN.md's transition table is one event.
enum class WorkflowEvent : quint8 {
    ClassificationFound, // an active, unexpired classification for the number exists
    ClassificationMissing,
    NumberBusyClassifying, // another call to the same number is being classified: look again later
    ClassificationCallStarted,
    HumanAnswered,
    IvrDetected,
    ClassificationCallFailed, // no answer, busy, error: try again with backoff
    ClassificationAttemptsExhausted,
    IvrWaitElapsed,
    IvrWaitNotElapsed,
    TaskCallStarted,
    OutsideCallingWindow,
    NumberBusy, // another call to the same number is in flight: wait
    TaskSucceeded,
    TaskFailed,
    RetryScheduled,
    RetriesExhausted,
    // A retry of a call cut short while classifying (in-flight timeout, reset stuck): it has no
    // classification yet, so it is classified again, not called for its task.
    ClassificationRetryScheduled,
    InFlightTimeout,
    TransientPostFailure, // timeout, 5xx, network: back to the state before, with backoff
    PermanentPostFailure, // 4xx other than 409, or attempts exhausted
    InvalidPhoneNumber,
    ManualRetryNow,
    ManualResetStuck,
    ManualMarkFailed,
    ManualReclassify,
};

// Who causes an event: the scheduler's pass, an outcome written by the telephony side, the
// in-flight rescuer, or a dispatcher.
enum class EventSource : quint8 { Scheduler, Outcome, Rescuer, Operator };

struct Transition
{
    WorkflowState from;
    WorkflowEvent event;
    WorkflowState to;
    EventSource source;
};

// DESIGN.md's transition table as data: the engine picks its moves from it, the console enables
// manual actions from it, the tests walk it. Nothing else decides which state may follow which.
namespace transitions {

std::span<const Transition> all();

// The state `event` leads to from `from`, or Unknown when the table has no such row.
WorkflowState target(WorkflowState from, WorkflowEvent event);
bool allows(WorkflowState from, WorkflowEvent event);
// True when some event leads from `from` to `to`.
bool reachable(WorkflowState from, WorkflowState to);
QList<Transition> from(WorkflowState state);

// Stable name of an event, for logs and workflow_events.detail.
QString eventName(WorkflowEvent event);

} // namespace transitions
} // namespace callops
