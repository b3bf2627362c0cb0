#include "TransitionTable.h"

#include <array>

namespace callops::transitions {
namespace {

using S = WorkflowState;
using E = WorkflowEvent;
using Src = EventSource;

// Read top to bottom this is DESIGN.md's table, with the manual actions of the console after it.
constexpr std::array kTable{
        Transition{S::New, E::ClassificationFound, S::ReadyToCall, Src::Scheduler},
        Transition{S::CheckingClassification, E::ClassificationFound, S::ReadyToCall, Src::Scheduler},
        Transition{S::New, E::ClassificationMissing, S::NeedsClassification, Src::Scheduler},
        Transition{S::CheckingClassification, E::ClassificationMissing, S::NeedsClassification,
                   Src::Scheduler},
        Transition{S::NeedsClassification, E::NumberBusyClassifying, S::CheckingClassification,
                   Src::Scheduler},
        Transition{S::NeedsClassification, E::ClassificationCallStarted, S::Classifying, Src::Scheduler},
        Transition{S::Classifying, E::HumanAnswered, S::Calling, Src::Outcome},
        Transition{S::Classifying, E::IvrDetected, S::ClassificationPending, Src::Outcome},
        Transition{S::Classifying, E::ClassificationCallFailed, S::NeedsClassification, Src::Outcome},
        Transition{S::Classifying, E::ClassificationAttemptsExhausted, S::ClassificationFailed, Src::Outcome},
        Transition{S::ClassificationPending, E::IvrWaitElapsed, S::ReadyToCall, Src::Scheduler},
        Transition{S::ClassificationPending, E::IvrWaitNotElapsed, S::ClassificationPending, Src::Scheduler},
        Transition{S::ReadyToCall, E::TaskCallStarted, S::Calling, Src::Scheduler},
        Transition{S::ReadyToCall, E::OutsideCallingWindow, S::ReadyToCall, Src::Scheduler},
        Transition{S::ReadyToCall, E::NumberBusy, S::ReadyToCall, Src::Scheduler},
        Transition{S::NeedsClassification, E::OutsideCallingWindow, S::NeedsClassification, Src::Scheduler},
        Transition{S::NeedsClassification, E::NumberBusy, S::NeedsClassification, Src::Scheduler},
        Transition{S::Calling, E::TaskSucceeded, S::Completed, Src::Outcome},
        Transition{S::Calling, E::TaskFailed, S::RetryPending, Src::Outcome},
        Transition{S::RetryPending, E::RetryScheduled, S::ReadyToCall, Src::Scheduler},
        Transition{S::RetryPending, E::RetriesExhausted, S::Failed, Src::Scheduler},
        Transition{S::RetryPending, E::ClassificationRetryScheduled, S::NeedsClassification, Src::Scheduler},
        Transition{S::RetryPending, E::ClassificationAttemptsExhausted, S::ClassificationFailed,
                   Src::Scheduler},
        Transition{S::Classifying, E::InFlightTimeout, S::RetryPending, Src::Rescuer},
        Transition{S::Calling, E::InFlightTimeout, S::RetryPending, Src::Rescuer},
        Transition{S::Classifying, E::TransientPostFailure, S::NeedsClassification, Src::Scheduler},
        Transition{S::Calling, E::TransientPostFailure, S::ReadyToCall, Src::Scheduler},
        Transition{S::Classifying, E::PermanentPostFailure, S::ClassificationFailed, Src::Scheduler},
        Transition{S::Calling, E::PermanentPostFailure, S::Failed, Src::Scheduler},
        Transition{S::New, E::InvalidPhoneNumber, S::Failed, Src::Scheduler},
        Transition{S::CheckingClassification, E::InvalidPhoneNumber, S::Failed, Src::Scheduler},
        Transition{S::NeedsClassification, E::InvalidPhoneNumber, S::Failed, Src::Scheduler},
        Transition{S::ReadyToCall, E::InvalidPhoneNumber, S::Failed, Src::Scheduler},
        Transition{S::RetryPending, E::InvalidPhoneNumber, S::Failed, Src::Scheduler},
        Transition{S::ClassificationPending, E::InvalidPhoneNumber, S::Failed, Src::Scheduler},

        // Retry now: a waiting retry becomes due at once; a failed call starts over from the
        // classification look-up with a fresh retry budget.
        Transition{S::RetryPending, E::ManualRetryNow, S::RetryPending, Src::Operator},
        Transition{S::Failed, E::ManualRetryNow, S::New, Src::Operator},
        Transition{S::ClassificationFailed, E::ManualRetryNow, S::New, Src::Operator},

        Transition{S::Classifying, E::ManualResetStuck, S::RetryPending, Src::Operator},
        Transition{S::Calling, E::ManualResetStuck, S::RetryPending, Src::Operator},

        Transition{S::New, E::ManualMarkFailed, S::Failed, Src::Operator},
        Transition{S::CheckingClassification, E::ManualMarkFailed, S::Failed, Src::Operator},
        Transition{S::NeedsClassification, E::ManualMarkFailed, S::Failed, Src::Operator},
        Transition{S::Classifying, E::ManualMarkFailed, S::Failed, Src::Operator},
        Transition{S::ClassificationPending, E::ManualMarkFailed, S::Failed, Src::Operator},
        Transition{S::ReadyToCall, E::ManualMarkFailed, S::Failed, Src::Operator},
        Transition{S::Calling, E::ManualMarkFailed, S::Failed, Src::Operator},
        Transition{S::RetryPending, E::ManualMarkFailed, S::Failed, Src::Operator},
        Transition{S::Unknown, E::ManualMarkFailed, S::Failed, Src::Operator},

        // Re-classify is refused while a call is under way: the outcome would land on a row that
        // no longer expects it.
        Transition{S::CheckingClassification, E::ManualReclassify, S::New, Src::Operator},
        Transition{S::NeedsClassification, E::ManualReclassify, S::New, Src::Operator},
        Transition{S::ClassificationPending, E::ManualReclassify, S::New, Src::Operator},
        Transition{S::ReadyToCall, E::ManualReclassify, S::New, Src::Operator},
        Transition{S::RetryPending, E::ManualReclassify, S::New, Src::Operator},
        Transition{S::Failed, E::ManualReclassify, S::New, Src::Operator},
        Transition{S::ClassificationFailed, E::ManualReclassify, S::New, Src::Operator},
        Transition{S::Unknown, E::ManualReclassify, S::New, Src::Operator},
};

} // namespace

std::span<const Transition> all()
{
    return kTable;
}

WorkflowState target(WorkflowState from, WorkflowEvent event)
{
    for (const auto &t : kTable) {
        if (t.from == from && t.event == event)
            return t.to;
    }
    return WorkflowState::Unknown;
}

bool allows(WorkflowState from, WorkflowEvent event)
{
    for (const auto &t : kTable) {
        if (t.from == from && t.event == event)
            return true;
    }
    return false;
}

bool reachable(WorkflowState from, WorkflowState to)
{
    for (const auto &t : kTable) {
        if (t.from == from && t.to == to)
            return true;
    }
    return false;
}

QList<Transition> from(WorkflowState state)
{
    QList<Transition> result;
    for (const auto &t : kTable) {
        if (t.from == state)
            result.append(t);
    }
    return result;
}

QString eventName(WorkflowEvent event)
{
    switch (event) {
    case E::ClassificationFound:
        return QStringLiteral("classification_found");
    case E::ClassificationMissing:
        return QStringLiteral("classification_missing");
    case E::NumberBusyClassifying:
        return QStringLiteral("number_busy_classifying");
    case E::ClassificationCallStarted:
        return QStringLiteral("classification_call_started");
    case E::HumanAnswered:
        return QStringLiteral("human_answered");
    case E::IvrDetected:
        return QStringLiteral("ivr_detected");
    case E::ClassificationCallFailed:
        return QStringLiteral("classification_call_failed");
    case E::ClassificationAttemptsExhausted:
        return QStringLiteral("classification_attempts_exhausted");
    case E::IvrWaitElapsed:
        return QStringLiteral("ivr_wait_elapsed");
    case E::IvrWaitNotElapsed:
        return QStringLiteral("ivr_wait_not_elapsed");
    case E::TaskCallStarted:
        return QStringLiteral("task_call_started");
    case E::OutsideCallingWindow:
        return QStringLiteral("outside_calling_window");
    case E::NumberBusy:
        return QStringLiteral("number_busy");
    case E::TaskSucceeded:
        return QStringLiteral("task_succeeded");
    case E::TaskFailed:
        return QStringLiteral("task_failed");
    case E::RetryScheduled:
        return QStringLiteral("retry_scheduled");
    case E::RetriesExhausted:
        return QStringLiteral("retries_exhausted");
    case E::ClassificationRetryScheduled:
        return QStringLiteral("classification_retry_scheduled");
    case E::InFlightTimeout:
        return QStringLiteral("inflight_timeout");
    case E::TransientPostFailure:
        return QStringLiteral("transient_post_failure");
    case E::PermanentPostFailure:
        return QStringLiteral("permanent_post_failure");
    case E::InvalidPhoneNumber:
        return QStringLiteral("invalid_phone_number");
    case E::ManualRetryNow:
        return QStringLiteral("manual_retry_now");
    case E::ManualResetStuck:
        return QStringLiteral("manual_reset_stuck");
    case E::ManualMarkFailed:
        return QStringLiteral("manual_mark_failed");
    case E::ManualReclassify:
        return QStringLiteral("manual_reclassify");
    }
    return QStringLiteral("unknown");
}

} // namespace callops::transitions
