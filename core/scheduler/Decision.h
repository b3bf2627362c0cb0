#pragma once

#include "workflow/TransitionTable.h"

#include <QDateTime>
#include <QString>

#include <optional>

namespace callops {

// What a pass does with one claimed row: an event of the transition table and the columns it
// sets. Rows whose decision is a call (lease = true) are started later, one by one, by the engine.
struct Decision
{
    QString id;
    WorkflowEvent event = WorkflowEvent::ClassificationMissing;
    WorkflowState from = WorkflowState::Unknown;
    WorkflowState to = WorkflowState::Unknown;
    QDateTime nextActionAt; // invalid: unchanged
    bool clearNextAction = false;
    QString classificationId; // empty: unchanged
    bool lookedUp = false;
    std::optional<int> retryCount;
    QString lastError; // empty: unchanged
    QString failureReason;
    std::optional<QString> storeE164; // set when this pass normalised the number ('' = unparsable)
    bool lease = false; // a call candidate
    QString e164;
    QString timeZoneId;
    bool zoneAssumed = false;
    QString status; // the guide's result status ("classification_found", ...)
    QString detail;
};

} // namespace callops
