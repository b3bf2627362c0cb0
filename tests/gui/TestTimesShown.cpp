#include "ClockText.h"
#include "calls/CallDetailPane.h"
#include "calls/CallTableModel.h"
#include "console/CallRecord.h"
#include "dashboard/OfflineBanner.h"

#include <QRegularExpression>
#include <QTest>

#include <ctime>

using namespace callops;

// What the console says about time: whose clock a time is on.
class TestTimesShown : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void timesNameTheirZone();
    void appointmentIsAlsoInTheClinicsTime();
    void appointmentInTheSameZoneIsSaidOnce();
    void tableSaysWhoseTimeItShows();
    void timesInPassingAreSaidAsTheTableSaysThem();

private:
    static CallRecord call(const QString &clinicZone);
};

void TestTimesShown::initTestCase()
{
    // A dispatcher in Madrid, clinics in other zones.
    qputenv("TZ", "Europe/Madrid");
    tzset();
}

CallRecord TestTimesShown::call(const QString &clinicZone)
{
    CallRecord record;
    record.id = QStringLiteral("9f4ca6e5-491c-4dad-a767-98caf6638700");
    record.examId = QStringLiteral("EX-24011");
    record.state = QStringLiteral("retry_pending");
    record.clinicTimezone = clinicZone;
    record.appointmentTime = QDateTime(QDate(2026, 11, 26), QTime(17, 0), Qt::UTC);
    record.nextActionAt = QDateTime(QDate(2026, 11, 26), QTime(8, 11, 57), Qt::UTC);
    return record;
}

void TestTimesShown::timesNameTheirZone()
{
    CallDetailPane pane;
    pane.showCall(call(QStringLiteral("America/Los_Angeles")), {});
    QCOMPARE(pane.fieldText("nextAction"), QStringLiteral("2026-11-26 09:11:57 CET"));
}

void TestTimesShown::appointmentIsAlsoInTheClinicsTime()
{
    CallDetailPane pane;
    pane.showCall(call(QStringLiteral("America/Los_Angeles")), {});
    QCOMPARE(pane.fieldText("appointment"),
             QStringLiteral("2026-11-26 09:00 PST at the clinic (2026-11-26 18:00:00 CET here)"));
    // A zone that is not one (the engine says so on the row) leaves this computer's time alone.
    pane.showCall(call(QStringLiteral("America/Los_Angles")), {});
    QCOMPARE(pane.fieldText("appointment"), QStringLiteral("2026-11-26 18:00:00 CET"));
    pane.showCall(call(QString()), {});
    QCOMPARE(pane.fieldText("appointment"), QStringLiteral("2026-11-26 18:00:00 CET"));
}

void TestTimesShown::appointmentInTheSameZoneIsSaidOnce()
{
    CallDetailPane pane;
    pane.showCall(call(QStringLiteral("Europe/Paris")), {});
    QCOMPARE(pane.fieldText("appointment"), QStringLiteral("2026-11-26 18:00:00 CET"));
}

void TestTimesShown::tableSaysWhoseTimeItShows()
{
    CallTableModel model(nullptr);
    for (int column : {CallTableModel::NextAction, CallTableModel::Updated})
        QVERIFY(QRegularExpression(QStringLiteral("^In this computer's time zone \\(CES?T\\)$"))
                        .match(model.headerData(column, Qt::Horizontal, Qt::ToolTipRole).toString())
                        .hasMatch());
    QVERIFY(!model.headerData(CallTableModel::Clinic, Qt::Horizontal, Qt::ToolTipRole).isValid());
}

// The status bar's "Last refresh", the scheduler's last pass and the offline banner said the locale's
// short time ("1:05 PM" in en_US) beside the table's and the details' 24-hour times.
void TestTimesShown::timesInPassingAreSaidAsTheTableSaysThem()
{
    const QLocale before;
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    const auto restore = qScopeGuard([&] { QLocale::setDefault(before); });
    const QDateTime lastRefresh(QDate(2026, 11, 26), QTime(12, 5, 9), Qt::UTC); // 13:05:09 in Madrid
    QCOMPARE(clockText::of(lastRefresh), QStringLiteral("13:05:09"));

    OfflineBanner banner;
    banner.showOffline(QStringLiteral("could not connect to server"), ConnectionProblem::Unreachable,
                       lastRefresh);
    QVERIFY2(banner.text().contains(QStringLiteral("as of 13:05:09")), qPrintable(banner.text()));
    QVERIFY2(!banner.text().contains(QStringLiteral(" PM")) && !banner.text().contains(QStringLiteral(" AM")),
             qPrintable(banner.text()));
}

QTEST_MAIN(TestTimesShown)
#include "TestTimesShown.moc"
