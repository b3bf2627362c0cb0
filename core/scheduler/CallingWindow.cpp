#include "CallingWindow.h"

#include "common/MessageText.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QRegularExpression>
#include <QTimeZone>

#include <algorithm>
#include <limits>

namespace callops {
namespace {

// Text::tr, not a free tr(): lupdate files a free function's strings under the enclosing
// namespace, so they would never match the context they are looked up in.
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(CallingWindow)
};

constexpr qint64 kMSecsPerMinute = 60 * 1000;
constexpr qint64 kMSecsPerDay = 24 * 60 * kMSecsPerMinute;
constexpr int kMinutesPerDay = 24 * 60;
constexpr qint64 kJulianDayOfEpoch = 2440588; // 1970-01-01
// More transitions than any zone has in a few weeks; guards against a broken time zone database.
constexpr int kMaxTransitions = 64;

// Quotes a piece of the user's text in a message, shortened so a huge spec gives a short message.
QString quoted(const QString &text)
{
    // One line, short, no broken UTF-16 (a lone surrogate cut off a pair).
    return u'"' + MessageText::quoted(text, 24) + u'"';
}

QString exampleHint()
{
    return Text::tr("write calling hours like \"mon-fri 08:00-17:00\" or \"mon-fri 08:00-12:00,13:00-17:00; "
                    "sat 09:00-12:00\"");
}

// Day names to Qt::DayOfWeek (1 = Monday); 0 when unknown.
int dayFromName(const QString &name)
{
    struct Name
    {
        const char16_t *text;
        int day;
    };
    static constexpr Name kNames[] = {
            {u"mon", 1},  {u"monday", 1},    {u"tue", 2}, {u"tues", 2},     {u"tuesday", 2}, {u"wed", 3},
            {u"weds", 3}, {u"wednesday", 3}, {u"thu", 4}, {u"thur", 4},     {u"thurs", 4},   {u"thursday", 4},
            {u"fri", 5},  {u"friday", 5},    {u"sat", 6}, {u"saturday", 6}, {u"sun", 7},     {u"sunday", 7},
    };
    for (const Name &entry : kNames) {
        if (name == QStringView(entry.text))
            return entry.day;
    }
    return 0;
}

QString dayName(int day)
{
    static const char16_t *const kNames[] = {u"mon", u"tue", u"wed", u"thu", u"fri", u"sat", u"sun"};
    return QString::fromUtf16(kNames[day - 1]);
}

// "mon", "mon-fri", "fri-mon" (wrapping) to a bit mask (bit 0 = Monday).
Result<quint8> parseDays(const QString &token)
{
    const QStringList parts = token.split(u'-');
    if (parts.size() > 2)
        return Error{
                Text::tr("Bad day range %1: write a day (sat) or a range (mon-fri).").arg(quoted(token))};
    int days[2] = {0, 0};
    for (qsizetype i = 0; i < parts.size(); ++i) {
        days[i] = dayFromName(parts.at(i));
        if (days[i] == 0)
            return Error{Text::tr("Unknown day %1: use mon, tue, wed, thu, fri, sat, sun or a range such as "
                                  "mon-fri.")
                                 .arg(quoted(parts.at(i)))};
    }
    const int first = days[0];
    const int last = parts.size() == 2 ? days[1] : first;
    quint8 mask = 0;
    for (int day = first;; day = day % 7 + 1) {
        mask |= quint8(1u << (day - 1));
        if (day == last)
            break;
    }
    return mask;
}

// "08:00" to minutes since midnight; -1 when malformed. 24:00 only when allowed (as an end).
int parseTime(const QString &text, bool allow24)
{
    static const QRegularExpression kTime(QStringLiteral("^([0-9]{1,2}):([0-9]{2})$"));
    const QRegularExpressionMatch match = kTime.match(text);
    if (!match.hasMatch())
        return -1;
    const int hours = match.captured(1).toInt();
    const int minutes = match.captured(2).toInt();
    if (minutes > 59 || hours > 24 || (hours == 24 && (minutes != 0 || !allow24)))
        return -1;
    return hours * 60 + minutes;
}

Result<CallingWindow::Period> parsePeriod(const QString &token)
{
    const QStringList parts = token.split(u'-');
    if (parts.size() != 2)
        return Error{
                Text::tr("Bad hours %1: write HH:MM-HH:MM, for example 08:00-17:00.").arg(quoted(token))};
    const int start = parseTime(parts.at(0), false);
    const int end = parseTime(parts.at(1), true);
    if (start < 0 || end < 0)
        return Error{Text::tr("Bad time in %1: times are HH:MM from 00:00 to 23:59, and 24:00 as an end.")
                             .arg(quoted(token))};
    if (end <= start)
        return Error{Text::tr("Hours %1 end before they start: for hours past midnight write two rules, for "
                              "example \"fri 22:00-24:00; sat 00:00-02:00\".")
                             .arg(quoted(token))};
    return CallingWindow::Period{start, end};
}

QString formatMinutes(int minutes)
{
    return QStringLiteral("%1:%2")
            .arg(minutes / 60, 2, 10, QLatin1Char('0'))
            .arg(minutes % 60, 2, 10, QLatin1Char('0'));
}

// Days in a mask as the shortest list of ranges, starting after a gap so that wrapping ranges stay
// whole ("fri-mon" rather than "mon,fri-sun").
QString formatDays(quint8 mask)
{
    if (mask == 0x7f)
        return QStringLiteral("mon-sun");
    const auto has = [mask](int index) {
        return (mask >> ((index % 7 + 7) % 7)) & 1;
    };
    int start = 0;
    while (!(has(start) && !has(start - 1)))
        ++start;
    QStringList ranges;
    for (int offset = 0; offset < 7;) {
        const int index = start + offset;
        if (!has(index)) {
            ++offset;
            continue;
        }
        int length = 1;
        while (offset + length < 7 && has(index + length))
            ++length;
        const int first = index % 7 + 1;
        const int last = (index + length - 1) % 7 + 1;
        ranges << (length == 1 ? dayName(first) : dayName(first) + u'-' + dayName(last));
        offset += length;
    }
    return ranges.join(u',');
}

qint64 floorDiv(qint64 value, qint64 divisor)
{
    return value / divisor - ((value % divisor != 0) && ((value < 0) != (divisor < 0)));
}

// Local-midnight wall clock of a date, as milliseconds on a naive (offset-free) time line.
qint64 naiveStartOfDay(const QDate &date)
{
    return (date.toJulianDay() - kJulianDayOfEpoch) * kMSecsPerDay;
}

QDate naiveDate(qint64 localMSecs)
{
    return QDate::fromJulianDay(floorDiv(localMSecs, kMSecsPerDay) + kJulianDayOfEpoch);
}

// A zone's UTC offsets over a stretch of time, read once from the time zone database: maps instants
// to wall-clock times and back, including the wall-clock times that occur twice (fall back) or
// never (spring forward).
class ZoneTimeline
{
public:
    ZoneTimeline(const QTimeZone &zone, qint64 fromMSecs, qint64 toMSecs)
    {
        m_starts << std::numeric_limits<qint64>::min();
        if (!zone.isValid()) {
            m_offsets << 0;
            return;
        }
        m_offsets << qint64(zone.offsetFromUtc(QDateTime::fromMSecsSinceEpoch(fromMSecs, Qt::UTC))) * 1000;
        if (!zone.hasTransitions())
            return;
        qint64 cursor = fromMSecs;
        for (int i = 0; i < kMaxTransitions; ++i) {
            const QTimeZone::OffsetData next
                    = zone.nextTransition(QDateTime::fromMSecsSinceEpoch(cursor, Qt::UTC));
            if (!next.atUtc.isValid())
                break;
            const qint64 at = next.atUtc.toMSecsSinceEpoch();
            if (at <= cursor || at > toMSecs)
                break;
            m_starts << at;
            m_offsets << qint64(next.offsetFromUtc) * 1000;
            cursor = at;
        }
    }

    qint64 toLocal(qint64 instant) const
    {
        qsizetype segment = m_starts.size() - 1;
        while (segment > 0 && m_starts.at(segment) > instant)
            --segment;
        return instant + m_offsets.at(segment);
    }

    // Every instant whose wall clock reads `local`, ascending: none in a gap, two in a repeated hour.
    QList<qint64> instantsAt(qint64 local) const
    {
        QList<qint64> instants;
        for (qsizetype i = 0; i < m_starts.size(); ++i) {
            const qint64 instant = local - m_offsets.at(i);
            const bool afterStart = instant >= m_starts.at(i);
            const bool beforeEnd = i + 1 == m_starts.size() || instant < m_starts.at(i + 1);
            if (afterStart && beforeEnd)
                instants << instant;
        }
        return instants;
    }

    // Instants where the offset changes (the wall clock jumps), after the first segment.
    QList<qint64> transitions() const { return m_starts.mid(1); }

private:
    QList<qint64> m_starts; // segment i starts at m_starts[i] and has offset m_offsets[i] (ms)
    QList<qint64> m_offsets;
};

enum class Edge { Start, End };

// Instants after `from` and up to `to` where the window may open (Start) or close (End): where the
// wall clock reads a period's start (end) time, and where it jumps. The answer is the first of them
// where the window is open (closed); sorted, without duplicates.
QList<qint64> candidates(const std::array<QList<CallingWindow::Period>, 7> &days,
                         const ZoneTimeline &timeline, qint64 from, qint64 to, Edge edge)
{
    QList<qint64> result;
    const QDate firstDay = naiveDate(timeline.toLocal(from)).addDays(-1);
    for (int offset = 0; offset <= CallingWindow::searchDays + 1; ++offset) {
        const QDate day = firstDay.addDays(offset);
        const qint64 midnight = naiveStartOfDay(day);
        for (const CallingWindow::Period &period : days[day.dayOfWeek() - 1]) {
            const int minute = edge == Edge::Start ? period.startMinute : period.endMinute;
            for (const qint64 instant : timeline.instantsAt(midnight + minute * kMSecsPerMinute)) {
                if (instant > from && instant <= to)
                    result << instant;
            }
        }
    }
    for (const qint64 instant : timeline.transitions()) {
        if (instant > from && instant <= to)
            result << instant;
    }
    std::sort(result.begin(), result.end());
    result.erase(std::unique(result.begin(), result.end()), result.end());
    return result;
}

struct Rule
{
    quint8 days = 0;
    QString daysText;
    QList<CallingWindow::Period> periods;
};

} // namespace

CallingWindow::CallingWindow()
{
    for (int day = 0; day < 5; ++day)
        m_days[day] = {Period{8 * 60, 17 * 60}};
}

QString CallingWindow::defaultSpec()
{
    return QStringLiteral("mon-fri 08:00-17:00");
}

Result<CallingWindow> CallingWindow::parse(const QString &spec)
{
    if (spec.size() > maxSpecLength)
        return Error{Text::tr("Calling hours are too long (%1 characters, at most %2): %3.")
                             .arg(spec.size())
                             .arg(maxSpecLength)
                             .arg(exampleHint())};
    for (const QChar c : spec) {
        if (c.category() == QChar::Other_Control && !c.isSpace())
            return Error{Text::tr("Calling hours contain control characters: %1.").arg(exampleHint())};
    }
    QString text = spec.trimmed().toLower();
    if (text.isEmpty())
        return Error{Text::tr("No calling hours given: %1.").arg(exampleHint())};
    // "mon - fri 08:00 - 17:00" reads as "mon-fri 08:00-17:00".
    static const QRegularExpression kSpacedDash(QStringLiteral("\\s*-\\s*"));
    text.replace(kSpacedDash, QStringLiteral("-"));

    // Tokens: words separated by white space; ',' and ';' are tokens of their own.
    QStringList tokens;
    QString current;
    for (const QChar c : std::as_const(text)) {
        if (c.isSpace() || c == u',' || c == u';') {
            if (!current.isEmpty())
                tokens << std::exchange(current, QString());
            if (!c.isSpace())
                tokens << QString(c);
        } else {
            current += c;
        }
    }
    if (!current.isEmpty())
        tokens << current;

    // A rule is days followed by periods; a day after periods, or ';', starts the next rule.
    QList<Rule> rules;
    Rule rule;
    const auto finishRule = [&rules, &rule]() -> Status {
        if (rule.days == 0)
            return {};
        if (rule.periods.isEmpty())
            return Error{
                    Text::tr("No hours for %1: write them after the days, for example \"%2 09:00-12:00\".")
                            .arg(quoted(rule.daysText), MessageText::quoted(rule.daysText, 24))};
        rules << std::exchange(rule, Rule());
        return {};
    };
    for (const QString &token : std::as_const(tokens)) {
        if (token == u",")
            continue;
        if (token == u";") {
            if (const Status status = finishRule(); !status)
                return Error{status.error()};
            continue;
        }
        const QChar first = token.front();
        if (first >= u'a' && first <= u'z') {
            if (!rule.periods.isEmpty()) {
                if (const Status status = finishRule(); !status)
                    return Error{status.error()};
            }
            const Result<quint8> days = parseDays(token);
            if (!days)
                return Error{days.error()};
            rule.days |= *days;
            rule.daysText += (rule.daysText.isEmpty() ? QString() : QStringLiteral(",")) + token;
        } else if (first >= u'0' && first <= u'9') {
            if (rule.days == 0)
                return Error{
                        Text::tr("Hours %1 without days: write the days first, for example \"mon-fri %2\".")
                                .arg(quoted(token), MessageText::quoted(token, 24))};
            const Result<Period> period = parsePeriod(token);
            if (!period)
                return Error{period.error()};
            rule.periods << *period;
        } else {
            return Error{Text::tr("Unexpected %1 in calling hours: %2.").arg(quoted(token), exampleHint())};
        }
    }
    if (const Status status = finishRule(); !status)
        return Error{status.error()};
    if (rules.isEmpty())
        return Error{Text::tr("No calling hours given: %1.").arg(exampleHint())};

    CallingWindow window;
    for (QList<Period> &periods : window.m_days)
        periods.clear();
    for (const Rule &each : std::as_const(rules)) {
        for (int day = 0; day < 7; ++day) {
            if (each.days & (1u << day))
                window.m_days[day] << each.periods;
        }
    }
    // Sorted and merged: overlapping or touching periods become one.
    for (QList<Period> &periods : window.m_days) {
        std::sort(periods.begin(), periods.end(),
                  [](const Period &a, const Period &b) { return a.startMinute < b.startMinute; });
        QList<Period> merged;
        for (const Period &period : std::as_const(periods)) {
            if (!merged.isEmpty() && period.startMinute <= merged.last().endMinute)
                merged.last().endMinute = std::max(merged.last().endMinute, period.endMinute);
            else
                merged << period;
        }
        periods = merged;
    }
    return window;
}

const QList<CallingWindow::Period> &CallingWindow::periods(int dayOfWeek) const
{
    static const QList<Period> kNone;
    if (dayOfWeek < 1 || dayOfWeek > 7)
        return kNone;
    return m_days[dayOfWeek - 1];
}

bool CallingWindow::isAlwaysOpen() const
{
    return std::all_of(m_days.cbegin(), m_days.cend(), [](const QList<Period> &periods) {
        return periods.size() == 1 && periods.first() == Period{0, kMinutesPerDay};
    });
}

bool CallingWindow::isOpenAtLocal(qint64 localMSecs) const
{
    const QDate date = naiveDate(localMSecs);
    const qint64 sinceMidnight = localMSecs - naiveStartOfDay(date);
    for (const Period &period : m_days[date.dayOfWeek() - 1]) {
        if (sinceMidnight >= period.startMinute * kMSecsPerMinute
            && sinceMidnight < period.endMinute * kMSecsPerMinute)
            return true;
    }
    return false;
}

bool CallingWindow::isOpen(const QDateTime &instant, const QTimeZone &zone) const
{
    if (!instant.isValid())
        return false;
    const qint64 offset = zone.isValid() ? zone.offsetFromUtc(instant) : 0;
    return isOpenAtLocal(instant.toMSecsSinceEpoch() + offset * 1000);
}

QDateTime CallingWindow::nextOpening(const QDateTime &instant, const QTimeZone &zone) const
{
    if (!instant.isValid())
        return {};
    const qint64 from = instant.toMSecsSinceEpoch();
    const qint64 to = from + searchDays * kMSecsPerDay;
    const ZoneTimeline timeline(zone, from - kMSecsPerDay, to + kMSecsPerDay);
    if (isOpenAtLocal(timeline.toLocal(from)))
        return instant.toUTC();
    for (const qint64 candidate : candidates(m_days, timeline, from, to, Edge::Start)) {
        if (isOpenAtLocal(timeline.toLocal(candidate)))
            return QDateTime::fromMSecsSinceEpoch(candidate, Qt::UTC);
    }
    return {};
}

QDateTime CallingWindow::closesAt(const QDateTime &instant, const QTimeZone &zone) const
{
    if (!instant.isValid())
        return {};
    const qint64 from = instant.toMSecsSinceEpoch();
    const qint64 to = from + searchDays * kMSecsPerDay;
    const ZoneTimeline timeline(zone, from - kMSecsPerDay, to + kMSecsPerDay);
    if (!isOpenAtLocal(timeline.toLocal(from)))
        return {};
    for (const qint64 candidate : candidates(m_days, timeline, from, to, Edge::End)) {
        if (!isOpenAtLocal(timeline.toLocal(candidate)))
            return QDateTime::fromMSecsSinceEpoch(candidate, Qt::UTC);
    }
    return QDateTime::fromMSecsSinceEpoch(to, Qt::UTC);
}

QString CallingWindow::toString() const
{
    QStringList rules;
    quint8 done = 0;
    for (int day = 0; day < 7; ++day) {
        if ((done & (1u << day)) || m_days[day].isEmpty())
            continue;
        quint8 mask = 0;
        for (int other = day; other < 7; ++other) {
            if (m_days[other] == m_days[day])
                mask |= quint8(1u << other);
        }
        done |= mask;
        QStringList periods;
        for (const Period &period : m_days[day])
            periods << formatMinutes(period.startMinute) + u'-' + formatMinutes(period.endMinute);
        rules << formatDays(mask) + u' ' + periods.join(u',');
    }
    return rules.join(QStringLiteral("; "));
}

} // namespace callops
