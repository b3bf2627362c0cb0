#include "CsvFailureReport.h"

#include <QCoreApplication>
#include <QSaveFile>
#include <QStringList>

namespace callops {
QString CsvFailureReport::cell(const QString &value)
{
    QString text = value;
    if (!text.isEmpty()) {
        const QChar first = text.front();
        if (first == u'=' || first == u'+' || first == u'-' || first == u'@' || first == u'\t'
            || first == u'\r')
            text.prepend(u'\'');
    }
    if (text.contains(u',') || text.contains(u'"') || text.contains(u'\n') || text.contains(u'\r')) {
        text.replace(u'"', QStringLiteral("\"\""));
        text = u'"' + text + u'"';
    }
    return text;
}

QByteArray CsvFailureReport::render(const QList<CallRecord> &calls, const FailureReportOptions &options)
{
    // Field names, not titles: the same in every language (scripts read the columns by name), as
    // are the cells (states by name, times in ISO 8601, plain numbers).
    const QStringList header{QStringLiteral("call_id"),        QStringLiteral("exam_id"),
                             QStringLiteral("employee_name"),  QStringLiteral("employee_dob"),
                             QStringLiteral("phone"),          QStringLiteral("clinic_name"),
                             QStringLiteral("workflow_state"), QStringLiteral("failure_reason"),
                             QStringLiteral("failed_at"),      QStringLiteral("retry_count"),
                             QStringLiteral("attempts"),       QStringLiteral("last_error")};
    // The byte order mark tells Excel the file is UTF-8: without it Excel reads it in the
    // system's code page and "José Núñez" becomes "JosÃ© NÃºÃ±ez". LibreOffice takes it too.
    QString out = QChar(QChar::ByteOrderMark) + header.join(u',') + QStringLiteral("\r\n");
    for (const CallRecord &call : calls) {
        QString dob;
        if (call.employeeDob.isValid())
            dob = options.includeDob ? call.employeeDob.toString(Qt::ISODate) : QStringLiteral("****-**-**");
        const QStringList row{call.id,
                              call.examId,
                              call.employeeName,
                              dob,
                              call.phoneDisplay.isEmpty() ? call.phone : call.phoneDisplay,
                              call.clinicName,
                              call.state,
                              call.failureReason,
                              options.isoTime(call.failedAt.isValid() ? call.failedAt : call.stateChangedAt),
                              QString::number(call.retryCount),
                              QString::number(call.attempt),
                              call.lastError};
        QStringList cells;
        cells.reserve(row.size());
        for (const QString &value : row)
            cells.append(cell(value));
        out += cells.join(u',') + QStringLiteral("\r\n");
    }
    return out.toUtf8();
}

Status CsvFailureReport::write(const QString &path, const QList<CallRecord> &calls,
                               const FailureReportOptions &options)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        return Error{QCoreApplication::translate("CsvFailureReport", "Cannot write %1: %2")
                             .arg(path, file.errorString())};
    }
    file.write(render(calls, options));
    if (!file.commit()) {
        return Error{QCoreApplication::translate("CsvFailureReport", "Cannot write %1: %2")
                             .arg(path, file.errorString())};
    }
    return Status::success();
}

} // namespace callops
