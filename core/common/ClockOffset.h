#pragma once

#include <QDateTime>

namespace callops {

// How far another machine's clock (the database server's) is off this one's, from a reading of it
// taken between two of ours: the other read its clock somewhere in between, so the middle is taken.
class ClockOffset
{
public:
    // `theirs` minus ours, in milliseconds.
    static qint64 measure(const QDateTime &before, const QDateTime &theirs, const QDateTime &after);
};

} // namespace callops
