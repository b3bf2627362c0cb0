#pragma once

#include "workflow/WorkflowState.h"

#include <QDateTime>
#include <QString>

namespace callops {

// One row a pass claimed: what the scheduler needs to decide its next move, nothing personal.
struct ClaimedCall
{
    QString id;
    QString stateName; // as stored, for messages about states we do not know
    WorkflowState state = WorkflowState::Unknown;
    QString phone;
    QString e164; // empty when not known yet (see e164Known) or unparsable
    bool e164Known = false; // phone_e164 was set (possibly to '' = unparsable)
    QString region; // the number's region, once normalised or parsed
    QString clinicTimezone;
    int retryCount = 0;
    int maxRetries = 3;
    bool retryCountsValid = true;
    QString classificationId;
    QDateTime ivrClassifiedAt;
    QDateTime updatedAt;
    int attempt = 0;
    int classificationAttempts = 0;
};

} // namespace callops
