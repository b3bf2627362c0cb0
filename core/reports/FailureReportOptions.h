#pragma once

#include "workflow/WorkflowState.h"

#include <QDateTime>
#include <QList>
#include <QString>

namespace callops {

// What a failure report covers and shows. The period is on the time the call failed (failed_at,
// else when it entered its state); an invalid bound is open.
struct FailureReportOptions
{
    QDateTime since;
    QDateTime until; // exclusive
    QList<WorkflowState> states; // empty: failed and classification_failed
    QString clinic;
    bool includeDob = false; // dates of birth are masked unless asked for
};

} // namespace callops
