#pragma once

#include "FailureReportOptions.h"
#include "common/Result.h"
#include "console/CallRecord.h"

namespace callops {

// The failed calls as CSV (RFC 4180, UTF-8 with a byte order mark for Excel), written atomically;
// phone numbers as a person reads them, times in the report's zone with their offset. Cells that a
// spreadsheet would run as a formula (starting with = + - @, tab or carriage return) are prefixed with a
// quote.
class CsvFailureReport final
{
public:
    static Status write(const QString &path, const QList<CallRecord> &calls,
                        const FailureReportOptions &options);
    static QByteArray render(const QList<CallRecord> &calls, const FailureReportOptions &options);
    // One cell, escaped against spreadsheet injection and quoted when needed.
    static QString cell(const QString &value);
};

} // namespace callops
