#include "FailureReportFile.h"

#include "CsvFailureReport.h"
#include "phone/PhoneNumberNormalizer.h"

namespace callops {

Status FailureReportFile::write(const QString &path, QList<CallRecord> calls,
                                const FailureReportOptions &options, const PhoneNumberNormalizer &phones,
                                const PdfFailureReport::Progress &progress)
{
    for (CallRecord &call : calls)
        call.phoneDisplay = phones.displayForm(call.phone);
    if (path.endsWith(QStringLiteral(".pdf"), Qt::CaseInsensitive))
        return PdfFailureReport::write(path, calls, options, progress);
    return CsvFailureReport::write(path, calls, options);
}

} // namespace callops
