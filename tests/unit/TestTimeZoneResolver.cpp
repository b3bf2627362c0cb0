#include "phone/TimeZoneResolver.h"

#include <QTest>
#include <QtConcurrent>

using namespace callops;

class TestTimeZoneResolver : public QObject
{
    Q_OBJECT

private slots:
    void resolve_data();
    void resolve();
    void invalidClinicZoneIsNamed();
    void configuredDefaultIsUsed();
    void unknownDefaultFallsBackToUtc();
    void validateZone_data();
    void validateZone();
    void sharedAcrossThreads();
};

void TestTimeZoneResolver::resolve_data()
{
    QTest::addColumn<QString>("clinicTimezone");
    QTest::addColumn<QString>("region");
    QTest::addColumn<QByteArray>("zone");
    QTest::addColumn<bool>("assumed");
    QTest::addColumn<QString>("source");

    // The default of these rows is America/New_York.
    QTest::newRow("US has many zones") << ""
                                       << "US" << QByteArray("America/New_York") << true << "default";
    QTest::newRow("GB has one") << ""
                                << "GB" << QByteArray("Europe/London") << false << "region GB";
    QTest::newRow("FR has one") << ""
                                << "FR" << QByteArray("Europe/Paris") << false << "region FR";
    QTest::newRow("JP has one") << ""
                                << "JP" << QByteArray("Asia/Tokyo") << false << "region JP";
    QTest::newRow("lower-case region") << ""
                                       << " gb " << QByteArray("Europe/London") << false << "region GB";
    QTest::newRow("ES has Canary Islands") << ""
                                           << "ES" << QByteArray("America/New_York") << true << "default";
    QTest::newRow("AU has many") << ""
                                 << "AU" << QByteArray("America/New_York") << true << "default";
    QTest::newRow("MX has many") << ""
                                 << "MX" << QByteArray("America/New_York") << true << "default";
    QTest::newRow("non-geographic") << ""
                                    << "001" << QByteArray("America/New_York") << true << "default";
    QTest::newRow("unknown region ZZ") << ""
                                       << "ZZ" << QByteArray("America/New_York") << true << "default";
    QTest::newRow("not a code") << ""
                                << "Britain" << QByteArray("America/New_York") << true << "default";
    QTest::newRow("no region") << ""
                               << "" << QByteArray("America/New_York") << true << "default";
    QTest::newRow("clinic zone wins over US")
            << "America/Chicago"
            << "US" << QByteArray("America/Chicago") << false << "clinic_timezone";
    QTest::newRow("clinic zone wins over GB")
            << "America/Chicago"
            << "GB" << QByteArray("America/Chicago") << false << "clinic_timezone";
    QTest::newRow("clinic zone padded") << "  Australia/Sydney "
                                        << "" << QByteArray("Australia/Sydney") << false << "clinic_timezone";
    QTest::newRow("clinic zone backward link")
            << "US/Pacific"
            << "US" << QByteArray("US/Pacific") << false << "clinic_timezone";
    // The country's zone is used, but it is a guess: the clinic said something else.
    QTest::newRow("invalid clinic zone falls to region, assumed")
            << "Mars/Olympus_Mons"
            << "GB" << QByteArray("Europe/London") << true << "region GB";
    QTest::newRow("invalid clinic zone falls to default")
            << "Eastern"
            << "US" << QByteArray("America/New_York") << true << "default";
    QTest::newRow("POSIX string is not a clinic zone")
            << "abc"
            << "GB" << QByteArray("Europe/London") << true << "region GB";
    QTest::newRow("path is not a clinic zone") << "../../../etc/passwd"
                                               << "" << QByteArray("America/New_York") << true << "default";
    QTest::newRow("whitespace clinic zone") << "   "
                                            << "GB" << QByteArray("Europe/London") << false << "region GB";
}

void TestTimeZoneResolver::resolve()
{
    QFETCH(QString, clinicTimezone);
    QFETCH(QString, region);
    QFETCH(QByteArray, zone);
    QFETCH(bool, assumed);
    QFETCH(QString, source);

    const TimeZoneResolver resolver;
    // Twice: the second answer comes from the cache and must be the same.
    for (int round = 0; round < 2; ++round) {
        const ResolvedZone resolved = resolver.resolve(clinicTimezone, region);
        QVERIFY(resolved.zone.isValid());
        QCOMPARE(resolved.zone.id(), zone);
        QCOMPARE(resolved.assumed, assumed);
        QCOMPARE(resolved.source, source);
    }
}

void TestTimeZoneResolver::invalidClinicZoneIsNamed()
{
    const TimeZoneResolver resolver;
    const ResolvedZone bad = resolver.resolve(QStringLiteral("Europe/Atlantis"), QStringLiteral("US"));
    QVERIFY(bad.assumed);
    QVERIFY2(bad.note.contains(QStringLiteral("Europe/Atlantis")), qPrintable(bad.note));
    QVERIFY(resolver.resolve(QStringLiteral("Europe/Paris"), QString()).note.isEmpty());
    QVERIFY(resolver.resolve(QString(), QStringLiteral("US")).note.isEmpty());
}

void TestTimeZoneResolver::configuredDefaultIsUsed()
{
    const TimeZoneResolver resolver("Europe/Madrid");
    QVERIFY(resolver.defaultZoneStatus().ok());
    const ResolvedZone resolved = resolver.resolve(QString(), QStringLiteral("ES"));
    QCOMPARE(resolved.zone.id(), QByteArray("Europe/Madrid"));
    QVERIFY(resolved.assumed);
    QCOMPARE(resolver.defaultZone().id(), QByteArray("Europe/Madrid"));
}

void TestTimeZoneResolver::unknownDefaultFallsBackToUtc()
{
    const TimeZoneResolver resolver("Nowhere/Special");
    QVERIFY(!resolver.defaultZoneStatus().ok());
    QVERIFY(resolver.defaultZoneStatus().error().contains(QStringLiteral("Nowhere/Special")));
    const ResolvedZone resolved = resolver.resolve(QString(), QStringLiteral("US"));
    QVERIFY(resolved.zone.isValid());
    QCOMPARE(resolved.zone.offsetFromUtc(QDateTime(QDate(2026, 7, 1), QTime(12, 0), Qt::UTC)), 0);
    QVERIFY(resolved.assumed);
}

void TestTimeZoneResolver::validateZone_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<bool>("valid");

    QTest::newRow("New York") << "America/New_York" << true;
    QTest::newRow("Chicago") << "America/Chicago" << true;
    QTest::newRow("London") << "Europe/London" << true;
    QTest::newRow("Sydney") << "Australia/Sydney" << true;
    QTest::newRow("Canary") << "Atlantic/Canary" << true;
    QTest::newRow("UTC") << "UTC" << true;
    QTest::newRow("backward link") << "US/Eastern" << true;
    QTest::newRow("Etc zone") << "Etc/GMT+5" << true;
    QTest::newRow("padded") << " Europe/London " << true;
    QTest::newRow("empty") << "" << false;
    QTest::newRow("whitespace") << "  " << false;
    QTest::newRow("wrong case") << "america/new_york" << false;
    QTest::newRow("made up") << "Europe/Atlantis" << false;
    QTest::newRow("POSIX string") << "abc" << false;
    QTest::newRow("POSIX rule") << "EST5" << false;
    QTest::newRow("abbreviation") << "PST" << false;
    QTest::newRow("path") << "../../etc/passwd" << false;
    QTest::newRow("absolute path") << "/etc/passwd" << false;
    QTest::newRow("directory") << "America" << false;
    QTest::newRow("NUL") << QString::fromUtf16(u"UTC\u0000", 4) << false;
    QTest::newRow("non-ASCII") << QString::fromUtf8("Europe/Zürich") << false;
    QTest::newRow("huge") << QString(10000, u'A') << false;
}

void TestTimeZoneResolver::validateZone()
{
    QFETCH(QString, id);
    QFETCH(bool, valid);
    const Status status = TimeZoneResolver::validateZone(id);
    QCOMPARE(status.ok(), valid);
    if (!valid)
        QVERIFY(!status.error().isEmpty());
}

void TestTimeZoneResolver::sharedAcrossThreads()
{
    const TimeZoneResolver resolver;
    const QList<QPair<QString, QString>> inputs{
            {QString(), QStringLiteral("GB")},
            {QString(), QStringLiteral("US")},
            {QStringLiteral("America/Chicago"), QString()},
            {QStringLiteral("Bad/Zone"), QStringLiteral("FR")},
            {QString(), QStringLiteral("ES")},
            {QString(), QStringLiteral("JP")},
    };
    QList<QPair<QString, QString>> many;
    for (int i = 0; i < 3000; ++i)
        many << inputs.at(i % inputs.size());
    const auto describe = [&resolver](const QPair<QString, QString> &input) {
        const ResolvedZone resolved = resolver.resolve(input.first, input.second);
        return QString::fromLatin1(resolved.zone.id()) + (resolved.assumed ? " assumed" : "");
    };
    QThreadPool pool;
    pool.setMaxThreadCount(4);
    const QStringList concurrent = QtConcurrent::blockingMapped(&pool, many, describe);
    QCOMPARE(concurrent.size(), many.size());
    for (int i = 0; i < many.size(); ++i)
        QCOMPARE(concurrent.at(i), describe(many.at(i)));
    QCOMPARE(concurrent.at(0), QStringLiteral("Europe/London"));
    QCOMPARE(concurrent.at(1), QStringLiteral("America/New_York assumed"));
    QCOMPARE(concurrent.at(3), QStringLiteral("Europe/Paris assumed")); // the clinic named another zone
}

QTEST_GUILESS_MAIN(TestTimeZoneResolver)
#include "TestTimeZoneResolver.moc"
