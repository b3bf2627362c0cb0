#pragma once

#include <QDateTime>
#include <QString>

namespace callops::test {

// Calling hours open every day from `hoursBefore` hours before `center`'s UTC hour began to
// `hoursAfter` hours after it ends, in UTC wall-clock time ("mon-sun 07:00-12:00"): open for a
// clinic in UTC around `center`, closed for one half a day away. Wraps around midnight as two
// periods; hoursBefore and hoursAfter from 0 to 10.
QString callingHoursAround(const QDateTime &center, int hoursBefore, int hoursAfter);

} // namespace callops::test
