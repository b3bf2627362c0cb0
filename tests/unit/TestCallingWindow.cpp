#include "scheduler/CallingWindow.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QTest>
#include <QTimeZone>

using namespace callops;

namespace {

QDateTime utc(const char *iso)
{
    QDateTime instant = QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODateWithMs);
    Q_ASSERT(instant.isValid());
    return instant.toUTC();
}

CallingWindow window(const QString &spec)
{
    const Result<CallingWindow> parsed = CallingWindow::parse(spec);
    if (!parsed.ok())
        qFatal("spec %s: %s", qPrintable(spec), qPrintable(parsed.error()));
    return *parsed;
}

} // namespace

class TestCallingWindow : public QObject
{
    Q_OBJECT

private slots:
    void defaultWindow();
    void accepted_data();
    void accepted();
    void rejected_data();
    void rejected();
    void periodsAreMerged();
    void isOpen_data();
    void isOpen();
    void nextOpening_data();
    void nextOpening();
    void closesAt_data();
    void closesAt();
    void invalidInput();
    void agreesWithMinuteByMinuteSearch_data();
    void agreesWithMinuteByMinuteSearch();
};

void TestCallingWindow::defaultWindow()
{
    const CallingWindow fallback;
    QCOMPARE(fallback.toString(), QStringLiteral("mon-fri 08:00-17:00"));
    QCOMPARE(CallingWindow::defaultSpec(), fallback.toString());
    QCOMPARE(window(CallingWindow::defaultSpec()), fallback);
    QVERIFY(!fallback.isAlwaysOpen());
    QVERIFY(window(QStringLiteral("mon-sun 00:00-24:00")).isAlwaysOpen());
}

void TestCallingWindow::accepted_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QString>("canonical");

    QTest::newRow("default") << "mon-fri 08:00-17:00"
                             << "mon-fri 08:00-17:00";
    QTest::newRow("always open") << "mon-sun 00:00-24:00"
                                 << "mon-sun 00:00-24:00";
    QTest::newRow("upper case") << "MON-FRI 08:00-17:00"
                                << "mon-fri 08:00-17:00";
    QTest::newRow("full names") << "Monday-Friday 8:00-17:30"
                                << "mon-fri 08:00-17:30";
    QTest::newRow("lunch break and saturday") << "mon-fri 08:00-12:00,13:00-17:00; sat 09:00-12:00"
                                              << "mon-fri 08:00-12:00,13:00-17:00; sat 09:00-12:00";
    QTest::newRow("comma between rules") << "mon-fri 08:00-17:00, sat 09:00-12:00"
                                         << "mon-fri 08:00-17:00; sat 09:00-12:00";
    QTest::newRow("single day") << "sat 09:00-12:00"
                                << "sat 09:00-12:00";
    QTest::newRow("day list") << "mon,wed,fri 09:00-11:00"
                              << "mon,wed,fri 09:00-11:00";
    QTest::newRow("wrapping range") << "fri-mon 10:00-14:00"
                                    << "fri-mon 10:00-14:00";
    QTest::newRow("sat-sun") << "sat-sun 10:00-14:00"
                             << "sat-sun 10:00-14:00";
    QTest::newRow("same start and end day") << "wed-wed 10:00-14:00"
                                            << "wed 10:00-14:00";
    QTest::newRow("spaces around dashes") << "  mon - fri   08:00 - 17:00 ;"
                                          << "mon-fri 08:00-17:00";
    QTest::newRow("days in two rules") << "mon 08:00-17:00; tue 08:00-17:00"
                                       << "mon-tue 08:00-17:00";
    QTest::newRow("different hours per day") << "mon-thu 08:00-17:00; fri 08:00-15:00"
                                             << "mon-thu 08:00-17:00; fri 08:00-15:00";
    QTest::newRow("midnight split") << "fri 22:00-24:00; sat 00:00-02:00"
                                    << "fri 22:00-24:00; sat 00:00-02:00";
    QTest::newRow("minutes") << "tue 07:05-07:55"
                             << "tue 07:05-07:55";
    QTest::newRow("empty rules skipped") << ";; mon 09:00-10:00 ;;"
                                         << "mon 09:00-10:00";
}

void TestCallingWindow::accepted()
{
    QFETCH(QString, spec);
    QFETCH(QString, canonical);

    const Result<CallingWindow> parsed = CallingWindow::parse(spec);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error()));
    QCOMPARE(parsed->toString(), canonical);
    // The canonical text reads back into the same window.
    const Result<CallingWindow> again = CallingWindow::parse(parsed->toString());
    QVERIFY2(again.ok(), qPrintable(again.error()));
    QCOMPARE(*again, *parsed);
}

void TestCallingWindow::rejected_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QString>("errorContains");

    QTest::newRow("empty") << ""
                           << "No calling hours";
    QTest::newRow("null") << QString() << "No calling hours";
    QTest::newRow("blank") << " \t "
                           << "No calling hours";
    QTest::newRow("only separators") << ";,;"
                                     << "No calling hours";
    QTest::newRow("unknown day") << "mon-fry 08:00-17:00"
                                 << "Unknown day \"fry\"";
    QTest::newRow("unknown word") << "weekdays 08:00-17:00"
                                  << "Unknown day";
    QTest::newRow("three-part day range") << "mon-wed-fri 08:00-17:00"
                                          << "Bad day range";
    QTest::newRow("hours without days") << "08:00-17:00"
                                        << "without days";
    QTest::newRow("days without hours") << "mon-fri"
                                        << "No hours for \"mon-fri\"";
    QTest::newRow("rule without hours") << "mon-fri 08:00-17:00; sat"
                                        << "No hours for \"sat\"";
    QTest::newRow("days then separator") << "mon-fri; 08:00-17:00"
                                         << "No hours";
    QTest::newRow("end before start") << "mon 17:00-08:00"
                                      << "end before they start";
    QTest::newRow("empty period") << "mon 08:00-08:00"
                                  << "end before they start";
    QTest::newRow("hour 25") << "mon 08:00-25:00"
                             << "Bad time";
    QTest::newRow("minute 60") << "mon 08:60-17:00"
                               << "Bad time";
    QTest::newRow("24:30") << "mon 08:00-24:30"
                           << "Bad time";
    QTest::newRow("24:00 start") << "mon 24:00-24:00"
                                 << "Bad time";
    QTest::newRow("no minutes") << "mon 8-17"
                                << "Bad time";
    QTest::newRow("seconds") << "mon 08:00:00-17:00:00"
                             << "Bad time";
    QTest::newRow("am/pm") << "mon 8am-5pm"
                           << "Bad time";
    QTest::newRow("open range") << "mon 08:00-"
                                << "Bad time";
    QTest::newRow("three times") << "mon 08:00-12:00-17:00"
                                 << "Bad hours";
    QTest::newRow("unicode digits") << QString::fromUtf8("mon ０８:00-17:00") << "Unexpected";
    QTest::newRow("symbol") << "mon 08:00-17:00 & sat 09:00-12:00"
                            << "Unexpected \"&\"";
    QTest::newRow("NUL") << QString::fromUtf16(u"mon\u0000 08:00-17:00", 16) << "control characters";
    QTest::newRow("huge") << QString(100000, u'x') << "too long";
    QTest::newRow("huge but repetitive")
            << QStringLiteral("mon 08:00-09:00;").repeated(CallingWindow::maxSpecLength / 16 + 1)
            << "too long";
    QTest::newRow("garbage") << "}{@#!"
                             << "Unexpected";
}

void TestCallingWindow::rejected()
{
    QFETCH(QString, spec);
    QFETCH(QString, errorContains);

    const Result<CallingWindow> parsed = CallingWindow::parse(spec);
    QVERIFY2(!parsed.ok(), qPrintable(parsed.ok() ? parsed->toString() : QString()));
    QVERIFY2(parsed.error().contains(errorContains, Qt::CaseInsensitive), qPrintable(parsed.error()));
    QVERIFY2(parsed.error().size() < 400, qPrintable(parsed.error()));
}

void TestCallingWindow::periodsAreMerged()
{
    const CallingWindow merged
            = window(QStringLiteral("mon 08:00-12:00,11:00-13:00,13:00-14:00; mon 16:00-17:00"));
    QCOMPARE(merged.periods(Qt::Monday).size(), 2);
    QCOMPARE(merged.periods(Qt::Monday).at(0), (CallingWindow::Period{8 * 60, 14 * 60}));
    QCOMPARE(merged.periods(Qt::Monday).at(1), (CallingWindow::Period{16 * 60, 17 * 60}));
    QVERIFY(merged.periods(Qt::Tuesday).isEmpty());
    QVERIFY(merged.periods(0).isEmpty());
    QVERIFY(merged.periods(8).isEmpty());
    QCOMPARE(merged.toString(), QStringLiteral("mon 08:00-14:00,16:00-17:00"));
}

void TestCallingWindow::isOpen_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QByteArray>("zone");
    QTest::addColumn<QDateTime>("instant");
    QTest::addColumn<bool>("open");

    const QString office = "mon-fri 08:00-17:00";
    const QByteArray ny = "America/New_York";
    // Wednesday 2026-01-14, EST (UTC-5).
    QTest::newRow("before opening") << office << ny << utc("2026-01-14T12:59:59.999Z") << false;
    QTest::newRow("at opening") << office << ny << utc("2026-01-14T13:00:00Z") << true;
    QTest::newRow("mid-day") << office << ny << utc("2026-01-14T17:30:00Z") << true;
    QTest::newRow("last millisecond") << office << ny << utc("2026-01-14T21:59:59.999Z") << true;
    QTest::newRow("at closing") << office << ny << utc("2026-01-14T22:00:00Z") << false;
    QTest::newRow("night") << office << ny << utc("2026-01-15T03:00:00Z") << false;
    QTest::newRow("saturday") << office << ny << utc("2026-01-17T15:00:00Z") << false;
    // The same UTC instant is inside the window in New York and outside it in London and Sydney.
    QTest::newRow("same instant, London")
            << office << QByteArray("Europe/London") << utc("2026-01-14T17:30:00Z") << false;
    QTest::newRow("same instant, Sydney")
            << office << QByteArray("Australia/Sydney") << utc("2026-01-14T17:30:00Z") << false;
    // Summer: 08:00 EDT is 12:00 UTC.
    QTest::newRow("summer opening") << office << ny << utc("2026-07-15T12:00:00Z") << true;
    QTest::newRow("summer before") << office << ny << utc("2026-07-15T11:59:00Z") << false;
    QTest::newRow("lunch break") << "mon-fri 08:00-12:00,13:00-17:00" << ny << utc("2026-01-14T17:30:00Z")
                                 << false;
    QTest::newRow("always open, sunday night")
            << "mon-sun 00:00-24:00" << ny << utc("2026-01-18T04:00:00Z") << true;
    QTest::newRow("24:00 end, last minute") << "fri 22:00-24:00" << ny << utc("2026-01-17T04:59:00Z") << true;
    QTest::newRow("24:00 end, midnight saturday")
            << "fri 22:00-24:00" << ny << utc("2026-01-17T05:00:00Z") << false;
    QTest::newRow("wrapping range, sunday")
            << "fri-mon 10:00-14:00" << ny << utc("2026-01-18T16:00:00Z") << true;
    QTest::newRow("wrapping range, wednesday")
            << "fri-mon 10:00-14:00" << ny << utc("2026-01-14T16:00:00Z") << false;
    // Fall back in New York, 2026-11-01: 01:00-02:00 local happens twice (EDT, then EST).
    QTest::newRow("repeated hour, first") << "sun 01:00-01:30" << ny << utc("2026-11-01T05:10:00Z") << true;
    QTest::newRow("repeated hour, between")
            << "sun 01:00-01:30" << ny << utc("2026-11-01T05:40:00Z") << false;
    QTest::newRow("repeated hour, second") << "sun 01:00-01:30" << ny << utc("2026-11-01T06:10:00Z") << true;
    QTest::newRow("invalid zone is UTC") << office << QByteArray() << utc("2026-01-14T08:00:00Z") << true;
}

void TestCallingWindow::isOpen()
{
    QFETCH(QString, spec);
    QFETCH(QByteArray, zone);
    QFETCH(QDateTime, instant);
    QFETCH(bool, open);

    const QTimeZone timeZone = zone.isEmpty() ? QTimeZone() : QTimeZone(zone);
    QCOMPARE(window(spec).isOpen(instant, timeZone), open);
    // The same instant expressed in another zone or spec gives the same answer.
    QCOMPARE(window(spec).isOpen(instant.toTimeZone(QTimeZone("Asia/Tokyo")), timeZone), open);
}

void TestCallingWindow::nextOpening_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QByteArray>("zone");
    QTest::addColumn<QDateTime>("instant");
    QTest::addColumn<QDateTime>("expected");

    const QString office = "mon-fri 08:00-17:00";
    const QString daily = "mon-sun 08:00-17:00";
    const QByteArray ny = "America/New_York";
    const QByteArray london = "Europe/London";
    const QByteArray sydney = "Australia/Sydney";

    QTest::newRow("open now") << office << ny << utc("2026-01-14T15:00:00.250Z")
                              << utc("2026-01-14T15:00:00.250Z");
    QTest::newRow("early morning") << office << ny << utc("2026-01-14T10:00:00Z")
                                   << utc("2026-01-14T13:00:00Z");
    QTest::newRow("evening") << office << ny << utc("2026-01-14T22:00:00Z") << utc("2026-01-15T13:00:00Z");
    QTest::newRow("friday evening") << office << ny << utc("2026-01-16T23:00:00Z")
                                    << utc("2026-01-19T13:00:00Z");
    QTest::newRow("always open") << "mon-sun 00:00-24:00" << ny << utc("2026-01-18T04:00:00Z")
                                 << utc("2026-01-18T04:00:00Z");
    QTest::newRow("lunch break") << "mon-fri 08:00-12:00,13:00-17:00" << ny << utc("2026-01-14T17:30:00Z")
                                 << utc("2026-01-14T18:00:00Z");
    QTest::newRow("saturday rule") << "mon-fri 08:00-17:00; sat 09:00-12:00" << ny
                                   << utc("2026-01-16T23:00:00Z") << utc("2026-01-17T14:00:00Z");
    QTest::newRow("one day a week") << "wed 09:00-10:00" << ny << utc("2026-01-14T15:00:00Z")
                                    << utc("2026-01-21T14:00:00Z");

    // New York springs forward on Sunday 2026-03-08 (02:00 EST -> 03:00 EDT, 07:00Z).
    QTest::newRow("NY weekend over spring forward")
            << office << ny << utc("2026-03-06T22:00:00Z") << utc("2026-03-09T12:00:00Z");
    QTest::newRow("NY 08:00 on the change day")
            << daily << ny << utc("2026-03-08T06:00:00Z") << utc("2026-03-08T12:00:00Z");
    QTest::newRow("NY opening inside the gap")
            << "sun 02:30-04:00" << ny << utc("2026-03-08T05:00:00Z") << utc("2026-03-08T07:00:00Z");
    QTest::newRow("NY opening at the gap")
            << "sun 02:00-04:00" << ny << utc("2026-03-08T05:00:00Z") << utc("2026-03-08T07:00:00Z");
    QTest::newRow("NY window entirely in the gap")
            << "sun 02:00-02:45" << ny << utc("2026-03-08T05:00:00Z") << utc("2026-03-15T06:00:00Z");
    QTest::newRow("NY gap inside the window")
            << "sun 01:00-05:00" << ny << utc("2026-03-08T06:30:00Z") << utc("2026-03-08T06:30:00Z");
    // New York falls back on Sunday 2026-11-01 (02:00 EDT -> 01:00 EST, 06:00Z).
    QTest::newRow("NY weekend over fall back")
            << office << ny << utc("2026-10-31T12:00:00Z") << utc("2026-11-02T13:00:00Z");
    QTest::newRow("NY 08:00 after fall back")
            << daily << ny << utc("2026-11-01T04:00:00Z") << utc("2026-11-01T13:00:00Z");
    QTest::newRow("NY repeated hour, first")
            << "sun 01:00-01:30" << ny << utc("2026-11-01T04:00:00Z") << utc("2026-11-01T05:00:00Z");
    QTest::newRow("NY repeated hour, second")
            << "sun 01:00-01:30" << ny << utc("2026-11-01T05:40:00Z") << utc("2026-11-01T06:00:00Z");

    // London springs forward on Sunday 2026-03-29 (01:00 GMT -> 02:00 BST, 01:00Z).
    QTest::newRow("London 08:00 on the change day")
            << daily << london << utc("2026-03-29T00:00:00Z") << utc("2026-03-29T07:00:00Z");
    QTest::newRow("London weekend over spring forward")
            << office << london << utc("2026-03-27T17:00:00Z") << utc("2026-03-30T07:00:00Z");
    QTest::newRow("London opening inside the gap")
            << "sun 01:30-03:00" << london << utc("2026-03-28T23:00:00Z") << utc("2026-03-29T01:00:00Z");
    QTest::newRow("London window entirely in the gap")
            << "sun 01:00-01:30" << london << utc("2026-03-28T23:00:00Z") << utc("2026-04-05T00:00:00Z");
    // London falls back on Sunday 2026-10-25 (02:00 BST -> 01:00 GMT, 01:00Z).
    QTest::newRow("London repeated hour, first")
            << "sun 01:15-01:45" << london << utc("2026-10-25T00:00:00Z") << utc("2026-10-25T00:15:00Z");
    QTest::newRow("London repeated hour, second")
            << "sun 01:15-01:45" << london << utc("2026-10-25T00:50:00Z") << utc("2026-10-25T01:15:00Z");
    QTest::newRow("London weekend over fall back")
            << office << london << utc("2026-10-24T12:00:00Z") << utc("2026-10-26T08:00:00Z");

    // Sydney ends daylight time on Sunday 2026-04-05 (03:00 AEDT -> 02:00 AEST, 16:00Z the day
    // before) and starts it on Sunday 2026-10-04 (02:00 AEST -> 03:00 AEDT, 16:00Z the day before).
    QTest::newRow("Sydney weekend over DST end")
            << office << sydney << utc("2026-04-03T07:00:00Z") << utc("2026-04-05T22:00:00Z");
    QTest::newRow("Sydney repeated hour, second")
            << "sun 02:00-02:30" << sydney << utc("2026-04-04T15:40:00Z") << utc("2026-04-04T16:00:00Z");
    QTest::newRow("Sydney weekend over DST start")
            << office << sydney << utc("2026-10-02T08:00:00Z") << utc("2026-10-04T21:00:00Z");
    QTest::newRow("Sydney window entirely in the gap")
            << "sun 02:00-02:30" << sydney << utc("2026-10-03T12:00:00Z") << utc("2026-10-10T15:00:00Z");
    QTest::newRow("Sydney opening inside the gap")
            << "sun 02:30-04:00" << sydney << utc("2026-10-03T12:00:00Z") << utc("2026-10-03T16:00:00Z");
}

void TestCallingWindow::nextOpening()
{
    QFETCH(QString, spec);
    QFETCH(QByteArray, zone);
    QFETCH(QDateTime, instant);
    QFETCH(QDateTime, expected);

    const QTimeZone timeZone(zone);
    const QDateTime opening = window(spec).nextOpening(instant, timeZone);
    QCOMPARE(opening, expected);
    QCOMPARE(opening.timeSpec(), Qt::UTC);
    QVERIFY(window(spec).isOpen(opening, timeZone));
}

void TestCallingWindow::closesAt_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QByteArray>("zone");
    QTest::addColumn<QDateTime>("instant");
    QTest::addColumn<QDateTime>("expected"); // invalid: closed at instant

    const QString office = "mon-fri 08:00-17:00";
    const QByteArray ny = "America/New_York";
    QTest::newRow("closed") << office << ny << utc("2026-01-14T10:00:00Z") << QDateTime();
    QTest::newRow("open") << office << ny << utc("2026-01-14T15:00:00Z") << utc("2026-01-14T22:00:00Z");
    QTest::newRow("at opening") << office << ny << utc("2026-01-14T13:00:00Z") << utc("2026-01-14T22:00:00Z");
    QTest::newRow("before lunch") << "mon-fri 08:00-12:00,13:00-17:00" << ny << utc("2026-01-14T15:00:00Z")
                                  << utc("2026-01-14T17:00:00Z");
    QTest::newRow("over midnight") << "fri 22:00-24:00; sat 00:00-02:00" << ny << utc("2026-01-17T04:00:00Z")
                                   << utc("2026-01-17T07:00:00Z");
    QTest::newRow("whole weekend") << "sat-sun 00:00-24:00" << ny << utc("2026-01-17T15:00:00Z")
                                   << utc("2026-01-19T05:00:00Z");
    QTest::newRow("always open: end of horizon")
            << "mon-sun 00:00-24:00" << ny << utc("2026-01-14T15:00:00Z")
            << utc("2026-01-14T15:00:00Z").addDays(CallingWindow::searchDays);
    // Clock changes inside an open period.
    QTest::newRow("NY spring forward in window")
            << "sun 01:00-05:00" << ny << utc("2026-03-08T06:30:00Z") << utc("2026-03-08T09:00:00Z");
    QTest::newRow("NY end inside the gap")
            << "sun 01:00-02:30" << ny << utc("2026-03-08T06:30:00Z") << utc("2026-03-08T07:00:00Z");
    QTest::newRow("NY fall back in window")
            << "sun 00:00-03:00" << ny << utc("2026-11-01T04:30:00Z") << utc("2026-11-01T08:00:00Z");
    QTest::newRow("NY repeated hour, first")
            << "sun 01:00-01:30" << ny << utc("2026-11-01T05:10:00Z") << utc("2026-11-01T05:30:00Z");
    QTest::newRow("NY repeated hour, second")
            << "sun 01:00-01:30" << ny << utc("2026-11-01T06:10:00Z") << utc("2026-11-01T06:30:00Z");
    QTest::newRow("London fall back in window") << "sun 00:00-12:00" << QByteArray("Europe/London")
                                                << utc("2026-10-24T23:30:00Z") << utc("2026-10-25T12:00:00Z");
    QTest::newRow("Sydney DST start in window") << "sun 00:00-12:00" << QByteArray("Australia/Sydney")
                                                << utc("2026-10-03T14:30:00Z") << utc("2026-10-04T01:00:00Z");
}

void TestCallingWindow::closesAt()
{
    QFETCH(QString, spec);
    QFETCH(QByteArray, zone);
    QFETCH(QDateTime, instant);
    QFETCH(QDateTime, expected);

    const QTimeZone timeZone(zone);
    const QDateTime closing = window(spec).closesAt(instant, timeZone);
    QCOMPARE(closing, expected);
    if (expected.isValid()) {
        QCOMPARE(closing.timeSpec(), Qt::UTC);
        QVERIFY(window(spec).isOpen(closing.addMSecs(-1), timeZone));
        if (!window(spec).isAlwaysOpen())
            QVERIFY(!window(spec).isOpen(closing, timeZone));
    }
}

void TestCallingWindow::invalidInput()
{
    const CallingWindow office;
    const QTimeZone ny("America/New_York");
    QVERIFY(!office.isOpen(QDateTime(), ny));
    QVERIFY(!office.nextOpening(QDateTime(), ny).isValid());
    QVERIFY(!office.closesAt(QDateTime(), ny).isValid());
    // An invalid zone reads as UTC.
    QCOMPARE(office.nextOpening(utc("2026-01-14T05:00:00Z"), QTimeZone()), utc("2026-01-14T08:00:00Z"));
}

void TestCallingWindow::agreesWithMinuteByMinuteSearch_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QByteArray>("zone");

    const QStringList specs{"mon-fri 08:00-17:00", "mon-fri 08:00-12:00,13:00-17:00; sat 09:00-12:00",
                            "sun 01:00-01:30",     "sun 02:00-03:00",
                            "fri-mon 00:30-02:30", "wed 23:00-24:00",
                            "mon-sun 00:00-24:00"};
    const QList<QByteArray> zones{"America/New_York",    "Europe/London", "Australia/Sydney",
                                  "Australia/Lord_Howe", "Asia/Kolkata",  "UTC"};
    for (const QString &spec : specs) {
        for (const QByteArray &zone : zones)
            QTest::addRow("%s in %s", qPrintable(spec), zone.constData()) << spec << zone;
    }
}

void TestCallingWindow::agreesWithMinuteByMinuteSearch()
{
    // Compares nextOpening / closesAt with walking the time line minute by minute through isOpen
    // (which reads the offset from QTimeZone for each instant) around the 2026 clock changes.
    QFETCH(QString, spec);
    QFETCH(QByteArray, zone);

    const CallingWindow calling = window(spec);
    const QTimeZone timeZone(zone);
    const QList<QDateTime> starts{utc("2026-03-06T00:00:00Z"), utc("2026-03-27T00:00:00Z"),
                                  utc("2026-04-02T00:00:00Z"), utc("2026-10-01T00:00:00Z"),
                                  utc("2026-10-23T00:00:00Z"), utc("2026-10-30T00:00:00Z")};
    QRandomGenerator random(20260308);
    for (const QDateTime &start : starts) {
        for (int sample = 0; sample < 6; ++sample) {
            const QDateTime instant = start.addSecs(random.bounded(4 * 24 * 3600));
            const QDateTime opening = calling.nextOpening(instant, timeZone);
            QVERIFY2(opening.isValid(), qPrintable(instant.toString(Qt::ISODate)));
            QVERIFY(opening >= instant);
            QVERIFY(calling.isOpen(opening, timeZone));
            // Nothing open between instant and opening (whole minutes, where every boundary lies).
            QDateTime probe = instant;
            probe.setTime(QTime(probe.time().hour(), probe.time().minute()));
            for (probe = probe.addSecs(60); probe < opening; probe = probe.addSecs(60))
                QVERIFY2(!calling.isOpen(probe, timeZone), qPrintable(probe.toString(Qt::ISODate)));
            // The window closes the first minute it is closed, never earlier.
            const QDateTime closing = calling.closesAt(opening, timeZone);
            if (calling.isAlwaysOpen()) {
                QCOMPARE(closing, opening.addDays(CallingWindow::searchDays));
                continue;
            }
            QVERIFY(closing > opening);
            for (probe = opening.addSecs(60); probe < closing; probe = probe.addSecs(60))
                QVERIFY2(calling.isOpen(probe, timeZone), qPrintable(probe.toString(Qt::ISODate)));
            QVERIFY2(!calling.isOpen(closing, timeZone), qPrintable(closing.toString(Qt::ISODate)));
        }
    }
}

QTEST_GUILESS_MAIN(TestCallingWindow)
#include "TestCallingWindow.moc"
