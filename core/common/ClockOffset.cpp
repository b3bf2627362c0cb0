#include "ClockOffset.h"

namespace callops {

qint64 ClockOffset::measure(const QDateTime &before, const QDateTime &theirs, const QDateTime &after)
{
    return before.addMSecs(before.msecsTo(after) / 2).msecsTo(theirs);
}

} // namespace callops
