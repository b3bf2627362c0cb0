#pragma once

#include "PdfFailureReport.h"

class QString;

namespace callops {

class PhoneNumberNormalizer;

// A failure report written where the path says, as the console and `--export-failures` both
// write it: PDF when the path ends in .pdf, else CSV, with the numbers as people read them.
class FailureReportFile
{
public:
    static Status write(const QString &path, QList<CallRecord> calls, const FailureReportOptions &options,
                        const PhoneNumberNormalizer &phones, const PdfFailureReport::Progress &progress = {});
};

} // namespace callops
