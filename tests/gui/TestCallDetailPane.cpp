#include "calls/CallDetailPane.h"
#include "console/CallRecord.h"

#include <QTest>

#include <ctime>

using namespace callops;

// What the details say about time: whose clock a time is on.
class TestCallDetailPane : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void timesNameTheirZone();
    void appointmentIsAlsoInTheClinicsTime();
    void appointmentInTheSameZoneIsSaidOnce();

private:
    static CallRecord call(const QString &clinicZone);
};

void TestCallDetailPane::initTestCase()
{
    // A dispatcher in Madrid, clinics in other zones.
    qputenv("TZ", "Europe/Madrid");
    tzset();
}

CallRecord TestCallDetailPane::call(const QString &clinicZone)
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

void TestCallDetailPane::timesNameTheirZone()
{
    CallDetailPane pane;
    pane.showCall(call(QStringLiteral("America/Los_Angeles")), {});
    QCOMPARE(pane.fieldText("nextAction"), QStringLiteral("2026-11-26 09:11:57 CET"));
}

void TestCallDetailPane::appointmentIsAlsoInTheClinicsTime()
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

void TestCallDetailPane::appointmentInTheSameZoneIsSaidOnce()
{
    CallDetailPane pane;
    pane.showCall(call(QStringLiteral("Europe/Paris")), {});
    QCOMPARE(pane.fieldText("appointment"), QStringLiteral("2026-11-26 18:00:00 CET"));
}

QTEST_MAIN(TestCallDetailPane)
#include "TestCallDetailPane.moc"
