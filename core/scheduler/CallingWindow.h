#pragma once

#include "common/Result.h"

#include <QList>
#include <QString>

#include <array>

class QDateTime;
class QTimeZone;

namespace callops {

// A clinic's calling hours: on which weekdays, between which local wall-clock times, calls may be
// placed (DESIGN.md, guarantee 4). Written as text, for example
//   mon-fri 08:00-17:00                                  (the default)
//   mon-fri 08:00-12:00,13:00-17:00; sat 09:00-12:00     (several periods and rules)
//   fri-mon 10:00-14:00                                  (day ranges may wrap around the week)
//   mon,wed,fri 09:00-11:00                              (day lists)
//   mon-sun 00:00-24:00                                  (always open)
// Days are mon..sun (or full names), times HH:MM with 24:00 allowed as an end, case-insensitive;
// rules are separated by ';' or ','. A period must end after it starts: hours past midnight are two
// rules ("fri 22:00-24:00; sat 00:00-02:00").
//
// Times are wall-clock times in the zone passed to each query, so "08:00" stays 08:00 local across
// daylight-saving changes. When clocks spring forward over an opening time, the window opens at the
// first instant after the gap; when they fall back, a repeated wall-clock hour is open (or closed) both
// times. Results are UTC instants. Immutable; safe to share between threads.
class CallingWindow
{
public:
    // The default window, mon-fri 08:00-17:00.
    CallingWindow();

    static Result<CallingWindow> parse(const QString &spec);
    static QString defaultSpec();

    // Whether a call may be placed at `instant` in a clinic in `zone` (an invalid zone counts as UTC).
    bool isOpen(const QDateTime &instant, const QTimeZone &zone) const;
    // The first instant at or after `instant` when the window is open: `instant` itself when open,
    // in UTC. Searches `searchDays` ahead and returns an invalid QDateTime only when no opening
    // exists in that horizon (a window whose every period falls into clock changes).
    QDateTime nextOpening(const QDateTime &instant, const QTimeZone &zone) const;
    // The end of the open period containing `instant` (UTC; following periods that continue over
    // midnight), or an invalid QDateTime when closed at `instant`. For a window that never closes
    // within `searchDays` (mon-sun 00:00-24:00) it is the end of that horizon.
    QDateTime closesAt(const QDateTime &instant, const QTimeZone &zone) const;

    // Canonical text that parse() reads back into an equal window ("mon-fri 08:00-17:00").
    QString toString() const;
    bool isAlwaysOpen() const;

    bool operator==(const CallingWindow &other) const = default;

    static constexpr int searchDays = 15;
    static constexpr int maxSpecLength = 1000;

    // One open period of a day, in minutes since local midnight: [startMinute, endMinute).
    struct Period
    {
        int startMinute = 0;
        int endMinute = 0;
        bool operator==(const Period &other) const = default;
    };
    // Periods of a weekday (Qt::Monday = 1 ... Qt::Sunday = 7), sorted, merged, non-overlapping.
    const QList<Period> &periods(int dayOfWeek) const;

private:
    bool isOpenAtLocal(qint64 localMSecs) const;

    std::array<QList<Period>, 7> m_days; // index 0 = Monday
};

} // namespace callops
