#pragma once

#include "workflow/WorkflowState.h"

#include <QDate>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QTimeZone>

namespace callops {

// What a failure report covers and shows. The period is whole days in `zone` (the dispatcher's
// own, as the console shows times), on the time the call failed (failed_at, else when it entered
// its state); an invalid day is an open bound. Times in the report are given in the same zone.
struct FailureReportOptions
{
    QDate firstDay;
    QDate lastDay; // included
    QTimeZone zone = QTimeZone::systemTimeZone();
    QList<WorkflowState> states; // empty: failed and classification_failed
    QString clinic;
    bool includeDob = false; // dates of birth are left out unless asked for

    QDateTime since() const; // the start of firstDay in zone
    QDateTime until() const; // exclusive: the start of the day after lastDay in zone
    // "2026-11-01 to 2026-11-30, whole days in Europe/Madrid", for the reader of the report.
    QString periodText() const;
    // A time of the report in its zone, named: "2026-11-30 23:30 CET".
    QString timeText(const QDateTime &time) const;
    // The same for a spreadsheet: ISO 8601 with the zone's offset, "2026-11-30T23:30:00+01:00".
    QString isoTime(const QDateTime &time) const;
};

} // namespace callops
