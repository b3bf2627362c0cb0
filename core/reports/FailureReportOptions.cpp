#include "FailureReportOptions.h"

#include <QCoreApplication>

namespace callops {

QDateTime FailureReportOptions::since() const
{
    // startOfDay: in a zone whose clocks skip midnight, the day starts at 01:00.
    return firstDay.isValid() ? firstDay.startOfDay(zone) : QDateTime();
}

QDateTime FailureReportOptions::until() const
{
    return lastDay.isValid() ? lastDay.addDays(1).startOfDay(zone) : QDateTime();
}

QString FailureReportOptions::periodText() const
{
    const QString from = firstDay.isValid()
            ? firstDay.toString(Qt::ISODate)
            : QCoreApplication::translate("FailureReportOptions", "the beginning");
    const QString to = lastDay.isValid() ? lastDay.toString(Qt::ISODate)
                                         : QCoreApplication::translate("FailureReportOptions", "now");
    return QCoreApplication::translate("FailureReportOptions", "%1 to %2, whole days in %3")
            .arg(from, to, QString::fromUtf8(zone.id()));
}

QString FailureReportOptions::timeText(const QDateTime &time) const
{
    if (!time.isValid())
        return {};
    const QDateTime local = time.toTimeZone(zone);
    return local.toString(QStringLiteral("yyyy-MM-dd HH:mm ")) + zone.abbreviation(local);
}

QString FailureReportOptions::isoTime(const QDateTime &time) const
{
    return time.isValid() ? time.toTimeZone(zone).toString(Qt::ISODate) : QString();
}

} // namespace callops
