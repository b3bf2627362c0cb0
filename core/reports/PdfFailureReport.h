#pragma once

#include "FailureReportOptions.h"
#include "common/Result.h"
#include "console/CallRecord.h"

#include <QCoreApplication>

#include <functional>

namespace callops {

// The failed calls as a printable PDF report: title, period, totals per failure reason and a table
// of the calls (long text wrapped, the header again on every page, "Page N of M"), written
// atomically. Needs a QGuiApplication (fonts); headless runs use the offscreen platform. Dates of
// birth are never printed.
class PdfFailureReport final
{
    Q_DECLARE_TR_FUNCTIONS(PdfFailureReport)

public:
    // Told (calls laid out, of calls) as the work goes: a large report takes a while.
    using Progress = std::function<void(qsizetype done, qsizetype total)>;

    static Status write(const QString &path, const QList<CallRecord> &calls,
                        const FailureReportOptions &options, const Progress &progress = {});
};

} // namespace callops
