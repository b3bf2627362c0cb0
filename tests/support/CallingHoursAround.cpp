#include "CallingHoursAround.h"

namespace callops::test {

QString callingHoursAround(const QDateTime &center, int hoursBefore, int hoursAfter)
{
    const int hour = center.toUTC().time().hour();
    const int start = (hour + 24 - hoursBefore) % 24;
    const int end = (hour + hoursAfter) % 24 + 1; // 1 to 24: an end at midnight is 24:00, never 00:00
    const auto hh = [](int value) {
        return QStringLiteral("%1").arg(value, 2, 10, QLatin1Char('0'));
    };
    if (start < end)
        return QStringLiteral("mon-sun %1:00-%2:00").arg(hh(start), hh(end));
    return QStringLiteral("mon-sun 00:00-%1:00,%2:00-24:00").arg(hh(end), hh(start));
}

} // namespace callops::test
