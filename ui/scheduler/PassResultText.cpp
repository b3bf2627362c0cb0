#include "PassResultText.h"

#include <QCoreApplication>
#include <QHash>
#include <QRegularExpression>

namespace callops {

QString PassResultText::describe(const QString &status)
{
    // Source texts only (QT_TRANSLATE_NOOP): translated where shown, in the language of the moment.
    static const QHash<QString, const char *> texts{
            {QStringLiteral("classification_found"),
             QT_TRANSLATE_NOOP("PassResultText", "Line already classified: ready for the task call")},
            {QStringLiteral("needs_classification"),
             QT_TRANSLATE_NOOP("PassResultText", "Line not classified yet: a classification call is needed")},
            {QStringLiteral("ready_for_task_call"),
             QT_TRANSLATE_NOOP("PassResultText", "IVR wait over: ready for the task call")},
            {QStringLiteral("still_waiting"), QT_TRANSLATE_NOOP("PassResultText", "Still in the IVR wait")},
            {QStringLiteral("skipped"), QT_TRANSLATE_NOOP("PassResultText", "Left alone")},
            {QStringLiteral("classification_attempts_exhausted"),
             QT_TRANSLATE_NOOP("PassResultText", "Classification failed: no attempts left")},
            {QStringLiteral("classification_retry_scheduled"),
             QT_TRANSLATE_NOOP("PassResultText", "Classification to be tried again")},
            {QStringLiteral("retry_scheduled"),
             QT_TRANSLATE_NOOP("PassResultText", "Task call to be retried")},
            {QStringLiteral("max_retries_exceeded"),
             QT_TRANSLATE_NOOP("PassResultText", "Failed: max retries exceeded")},
            {QStringLiteral("waiting_for_shared_classification"),
             QT_TRANSLATE_NOOP("PassResultText", "Waiting: another call to this line is classifying it")},
            {QStringLiteral("number_busy"),
             QT_TRANSLATE_NOOP("PassResultText", "Waiting: the number is being called already")},
            {QStringLiteral("outside_calling_window"),
             QT_TRANSLATE_NOOP("PassResultText", "Waiting for the clinic's calling hours")},
            {QStringLiteral("invalid_phone_number"),
             QT_TRANSLATE_NOOP("PassResultText", "Failed: the phone number cannot be dialled")},
            {QStringLiteral("classification_call_queued"),
             QT_TRANSLATE_NOOP("PassResultText", "Classification call waiting its turn")},
            {QStringLiteral("task_call_queued"),
             QT_TRANSLATE_NOOP("PassResultText", "Task call waiting its turn")},
            {QStringLiteral("classification_call_triggered"),
             QT_TRANSLATE_NOOP("PassResultText", "Classification call placed")},
            {QStringLiteral("task_call_triggered"), QT_TRANSLATE_NOOP("PassResultText", "Task call placed")},
            {QStringLiteral("error"), QT_TRANSLATE_NOOP("PassResultText", "The call request failed")},
            {QStringLiteral("released"),
             QT_TRANSLATE_NOOP(
                     "PassResultText",
                     "Not placed: given back for later (paused, stopped, or the call trigger refused)")},
    };
    const char *text = texts.value(status);
    return text ? QCoreApplication::translate("PassResultText", text) : status;
}

QString PassResultText::describeDetail(const QString &status, const QString &detail)
{
    if (status == u"retry_scheduled") {
        bool number = false;
        const int retry = detail.toInt(&number);
        if (number)
            return QCoreApplication::translate("PassResultText", "retry %1").arg(retry);
    }
    static const QRegularExpression attempt(QStringLiteral("^attempt (\\d+)$"));
    if (const auto match = attempt.match(detail); match.hasMatch())
        return QCoreApplication::translate("PassResultText", "attempt %1").arg(match.captured(1));
    if (status == u"classification_found") {
        if (detail == u"human")
            return QCoreApplication::translate("PassResultText", "a person answers");
        if (detail == u"ivr_only")
            return QCoreApplication::translate("PassResultText", "an IVR menu only");
        if (detail == u"ivr_then_human")
            return QCoreApplication::translate("PassResultText", "an IVR menu, then a person");
    }
    return detail;
}

} // namespace callops
