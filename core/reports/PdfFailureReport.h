#pragma once

#include "FailureReportOptions.h"
#include "common/Result.h"
#include "console/CallRecord.h"

namespace callops {

// The failed calls as a printable PDF report: title, period, totals per failure reason and a table
// of the calls, written atomically. Needs a QGuiApplication (fonts); headless runs use the
// offscreen platform. Dates of birth are never printed.
class PdfFailureReport final
{
public:
    static Status write(const QString &path, const QList<CallRecord> &calls,
                        const FailureReportOptions &options);
};

} // namespace callops
