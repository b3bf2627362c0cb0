#pragma once

#include <QString>

class QDateTime;

namespace callops {

// A moment of today as the console says it in passing (the last refresh, the last pass, since
// when it is offline): this computer's time, 24-hour with seconds, as the table and the details
// show times, whatever the locale's short format (which says "12:45 AM" in en_US beside the
// table's "00:45").
namespace clockText {

QString of(const QDateTime &when);

} // namespace clockText
} // namespace callops
