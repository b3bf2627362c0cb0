#include "phone/PhoneNumberNormalizer.h"

#include <QSet>
#include <QTest>
#include <QtConcurrent>

using namespace callops;

class TestPhoneNumberNormalizer : public QObject
{
    Q_OBJECT

private slots:
    void sameNumberManyWays_data();
    void sameNumberManyWays();
    void rejected_data();
    void rejected();
    void defaultRegionDecidesNationalNumbers();
    void unknownDefaultRegionStillReadsInternationalNumbers();
    void validRegions_data();
    void validRegions();
    void extensionIsKeptApart();
    void displayForm_data();
    void displayForm();
    void sharedAcrossThreads();
};

void TestPhoneNumberNormalizer::sameNumberManyWays_data()
{
    QTest::addColumn<QString>("defaultRegion");
    QTest::addColumn<QString>("raw");
    QTest::addColumn<QString>("e164");
    QTest::addColumn<QString>("region");

    const QString nyc = "+12127365000";
    QTest::newRow("US parentheses") << "US"
                                    << "(212) 736-5000" << nyc << "US";
    QTest::newRow("US dots") << "US"
                             << "212.736.5000" << nyc << "US";
    QTest::newRow("US digits only") << "US"
                                    << "2127365000" << nyc << "US";
    QTest::newRow("US leading 1") << "US"
                                  << "1 212 736 5000" << nyc << "US";
    QTest::newRow("US plus dashes") << "US"
                                    << "+1 212-736-5000" << nyc << "US";
    QTest::newRow("US plus parentheses") << "US"
                                         << "+1 (212) 736-5000" << nyc << "US";
    QTest::newRow("US E.164 already") << "US"
                                      << "+12127365000" << nyc << "US";
    QTest::newRow("US IDD from US") << "US"
                                    << "011 1 212 736 5000" << nyc << "US";
    QTest::newRow("US IDD from GB") << "GB"
                                    << "001 212 736 5000" << nyc << "US";
    QTest::newRow("US IDD from DE") << "DE"
                                    << "00 1 212 736 5000" << nyc << "US";
    QTest::newRow("US with padding") << "US"
                                     << "  \t212 736 5000\n"
                                     << nyc << "US";
    QTest::newRow("US tel URI") << "US"
                                << "tel:+1-212-736-5000" << nyc << "US";
    QTest::newRow("US with extension") << "US"
                                       << "212-736-5000 ext. 12" << nyc << "US";
    QTest::newRow("US read from GB") << "GB"
                                     << "+1 212 736 5000" << nyc << "US";
    QTest::newRow("US full-width digits")
            << "US" << QString::fromUtf8("（２１２）７３６－５０００") << nyc << "US";
    QTest::newRow("US Arabic-Indic digits")
            << "US" << QString::fromUtf8("\u0662\u0661\u0662\u0667\u0663\u0666\u0665\u0660\u0660\u0660")
            << nyc << "US";
    QTest::newRow("US toll free") << "US"
                                  << "1-800-222-1222"
                                  << "+18002221222"
                                  << "US";
    QTest::newRow("US vanity letters") << "US"
                                       << "1-800-FLOWERS"
                                       << "+18003569377"
                                       << "US";
    QTest::newRow("CA shares +1") << "US"
                                  << "(416) 979-5000"
                                  << "+14169795000"
                                  << "CA";

    const QString london = "+442079460000";
    QTest::newRow("GB national") << "GB"
                                 << "020 7946 0000" << london << "GB";
    QTest::newRow("GB international") << "US"
                                      << "+44 20 7946 0000" << london << "GB";
    QTest::newRow("GB with (0)") << "US"
                                 << "+44 (0)20 7946 0000" << london << "GB";
    QTest::newRow("GB IDD from US") << "US"
                                    << "011 44 20 7946 0000" << london << "GB";

    QTest::newRow("MX national") << "MX"
                                 << "55 1234 5678"
                                 << "+525512345678"
                                 << "MX";
    QTest::newRow("MX international") << "US"
                                      << "+52 55 1234 5678"
                                      << "+525512345678"
                                      << "MX";
    QTest::newRow("ES national") << "ES"
                                 << "912 345 678"
                                 << "+34912345678"
                                 << "ES";
    QTest::newRow("ES international") << "GB"
                                      << "0034 912 34 56 78"
                                      << "+34912345678"
                                      << "ES";
    QTest::newRow("DE national") << "DE"
                                 << "030 12345678"
                                 << "+493012345678"
                                 << "DE";
    QTest::newRow("DE international") << "US"
                                      << "+49 (0)30 1234 5678"
                                      << "+493012345678"
                                      << "DE";
    QTest::newRow("AU national") << "AU"
                                 << "(02) 9374 4000"
                                 << "+61293744000"
                                 << "AU";
    QTest::newRow("AU international") << "US"
                                      << "+61 2 9374 4000"
                                      << "+61293744000"
                                      << "AU";
    QTest::newRow("lower-case region") << "gb"
                                       << "020 7946 0000" << london << "GB";
}

void TestPhoneNumberNormalizer::sameNumberManyWays()
{
    QFETCH(QString, defaultRegion);
    QFETCH(QString, raw);
    QFETCH(QString, e164);
    QFETCH(QString, region);

    const PhoneNumberNormalizer normalizer(defaultRegion);
    const Result<NormalizedPhone> result = normalizer.normalize(raw);
    QVERIFY2(result.ok(), qPrintable(result.error()));
    QCOMPARE(result->e164, e164);
    QCOMPARE(result->region, region);
}

void TestPhoneNumberNormalizer::rejected_data()
{
    QTest::addColumn<QString>("defaultRegion");
    QTest::addColumn<QString>("raw");
    QTest::addColumn<QString>("errorContains");

    QTest::newRow("empty") << "US"
                           << ""
                           << "no phone number";
    QTest::newRow("null") << "US" << QString() << "no phone number";
    QTest::newRow("whitespace") << "US"
                                << " \t\r\n "
                                << "no phone number";
    QTest::newRow("parses but invalid") << "US"
                                        << "555-12"
                                        << "not a valid number for region US";
    QTest::newRow("invalid area code") << "US"
                                       << "(012) 736-5000"
                                       << "not a valid number for region US";
    QTest::newRow("invalid GB") << "US"
                                << "+44 20 7946"
                                << "not a valid number for region GB";
    QTest::newRow("one digit") << "US"
                               << "1"
                               << "not a phone number";
    QTest::newRow("too short after country code") << "US"
                                                  << "+44 1"
                                                  << "too short";
    QTest::newRow("too short after IDD") << "GB"
                                         << "00 1"
                                         << "too short";
    QTest::newRow("letters") << "US"
                             << "call the clinic"
                             << "not a phone number";
    QTest::newRow("punctuation") << "US"
                                 << "()-.-()"
                                 << "not a phone number";
    QTest::newRow("unknown country code") << "US"
                                          << "+999 123 456 789"
                                          << "country code";
    QTest::newRow("NUL inside") << "US" << QString::fromUtf16(u"212\u0000736 5000", 12)
                                << "control characters";
    QTest::newRow("escape character") << "US"
                                      << "212\x1b[0m7365000"
                                      << "control characters";
    QTest::newRow("huge") << "US" << QString(100000, u'9') << "too long";
    QTest::newRow("just over the limit")
            << "US" << QString(PhoneNumberNormalizer::maxInputLength + 1, u'1') << "too long";
    QTest::newRow("long digits within limit") << "US" << QString(60, u'7') << "too long";
    QTest::newRow("emoji") << "US" << QString::fromUtf8("📞📞📞") << "not a phone number";
    QTest::newRow("SQL") << "US"
                         << "'; DROP TABLE pending_calls; --"
                         << "not a phone number";
    QTest::newRow("national number, no region") << "ZZ"
                                                << "212 736 5000"
                                                << "country code";
    QTest::newRow("national number, bogus region") << "QQ"
                                                   << "212 736 5000"
                                                   << "country code";
}

void TestPhoneNumberNormalizer::rejected()
{
    QFETCH(QString, defaultRegion);
    QFETCH(QString, raw);
    QFETCH(QString, errorContains);

    const PhoneNumberNormalizer normalizer(defaultRegion);
    const Result<NormalizedPhone> result = normalizer.normalize(raw);
    QVERIFY2(!result.ok(), qPrintable(result.ok() ? result->e164 : QString()));
    QVERIFY2(result.error().contains(errorContains, Qt::CaseInsensitive), qPrintable(result.error()));
}

void TestPhoneNumberNormalizer::defaultRegionDecidesNationalNumbers()
{
    // The same digits are a different number (or none) depending on where they were written.
    const QString digits = "020 7946 0000";
    const Result<NormalizedPhone> inGb = PhoneNumberNormalizer(QStringLiteral("GB")).normalize(digits);
    QVERIFY(inGb.ok());
    QCOMPARE(inGb->e164, QStringLiteral("+442079460000"));
    QVERIFY(!PhoneNumberNormalizer(QStringLiteral("US")).normalize(digits).ok());
    QCOMPARE(PhoneNumberNormalizer().defaultRegion(), QStringLiteral("US"));
    QCOMPARE(PhoneNumberNormalizer(QStringLiteral(" gb ")).defaultRegion(), QStringLiteral("GB"));
}

void TestPhoneNumberNormalizer::unknownDefaultRegionStillReadsInternationalNumbers()
{
    const PhoneNumberNormalizer normalizer(QStringLiteral("XX"));
    const Result<NormalizedPhone> result = normalizer.normalize(QStringLiteral("+44 20 7946 0000"));
    QVERIFY2(result.ok(), qPrintable(result.error()));
    QCOMPARE(result->e164, QStringLiteral("+442079460000"));
}

void TestPhoneNumberNormalizer::validRegions_data()
{
    QTest::addColumn<QString>("region");
    QTest::addColumn<bool>("valid");

    QTest::newRow("US") << "US" << true;
    QTest::newRow("GB") << "GB" << true;
    QTest::newRow("lower case") << "mx" << true;
    QTest::newRow("padded") << " de " << true;
    QTest::newRow("AU") << "AU" << true;
    QTest::newRow("unknown ZZ") << "ZZ" << false;
    QTest::newRow("non-geographic 001") << "001" << false;
    QTest::newRow("UK is not ISO") << "UK" << false;
    QTest::newRow("three letters") << "USA" << false;
    QTest::newRow("empty") << "" << false;
    QTest::newRow("digits") << "12" << false;
    QTest::newRow("NUL") << QString::fromUtf16(u"U\u0000", 2) << false;
}

void TestPhoneNumberNormalizer::validRegions()
{
    QFETCH(QString, region);
    QFETCH(bool, valid);
    QCOMPARE(PhoneNumberNormalizer::isValidRegion(region), valid);
}

void TestPhoneNumberNormalizer::extensionIsKeptApart()
{
    const Result<NormalizedPhone> result
            = PhoneNumberNormalizer().normalize(QStringLiteral("212 736 5000 x 204"));
    QVERIFY2(result.ok(), qPrintable(result.error()));
    QCOMPARE(result->e164, QStringLiteral("+12127365000"));
    QCOMPARE(result->extension, QStringLiteral("204"));
    QVERIFY(PhoneNumberNormalizer().normalize(QStringLiteral("212 736 5000"))->extension.isEmpty());
}

void TestPhoneNumberNormalizer::displayForm_data()
{
    QTest::addColumn<QString>("defaultRegion");
    QTest::addColumn<QString>("raw");
    QTest::addColumn<QString>("shown");

    QTest::newRow("bare digits, home region") << "US"
                                              << "6177428435"
                                              << "(617) 742-8435";
    QTest::newRow("E.164, home region") << "US"
                                        << "+16177428435"
                                        << "(617) 742-8435";
    QTest::newRow("dots, home region") << "US"
                                       << "617.742.2835"
                                       << "(617) 742-2835";
    QTest::newRow("abroad") << "US"
                            << "+442079460767"
                            << "+44 20 7946 0767";
    QTest::newRow("abroad, spaced") << "US"
                                    << "+34 915 23 02 65"
                                    << "+34 915 23 02 65";
    QTest::newRow("home region GB") << "GB"
                                    << "+442079460767"
                                    << "020 7946 0767";
    QTest::newRow("US from GB") << "GB"
                                << "+16177428435"
                                << "+1 617-742-8435";
    QTest::newRow("extension") << "US"
                               << "212 736 5000 x 204"
                               << "(212) 736-5000 ext. 204";
    QTest::newRow("invalid area code") << "US"
                                       << "+1 555 200 0001"
                                       << "";
    QTest::newRow("too short") << "US"
                               << "555-12"
                               << "";
    QTest::newRow("not a number") << "US"
                                  << "call reception"
                                  << "";
    QTest::newRow("empty") << "US"
                           << ""
                           << "";
}

void TestPhoneNumberNormalizer::displayForm()
{
    QFETCH(QString, defaultRegion);
    QFETCH(QString, raw);
    QFETCH(QString, shown);
    const PhoneNumberNormalizer normalizer(defaultRegion);
    QCOMPARE(normalizer.displayForm(raw), shown);
    // Shown whenever, and only when, the engine would dial it.
    QCOMPARE(shown.isEmpty(), !normalizer.normalize(raw).ok());
}

void TestPhoneNumberNormalizer::sharedAcrossThreads()
{
    // One normalizer used by several threads at once gives the same answers as one thread.
    const PhoneNumberNormalizer normalizer(QStringLiteral("US"));
    QStringList inputs;
    for (int i = 0; i < 2000; ++i) {
        switch (i % 4) {
        case 0:
            inputs << QStringLiteral("(212) 736-%1").arg(5000 + i % 1000);
            break;
        case 1:
            inputs << QStringLiteral("+44 20 7946 %1").arg(i % 10000, 4, 10, QLatin1Char('0'));
            break;
        case 2:
            inputs << QStringLiteral("555-%1").arg(i % 100);
            break;
        default:
            inputs << QStringLiteral("garbage %1").arg(i);
            break;
        }
    }
    const auto describe = [&normalizer](const QString &raw) {
        const Result<NormalizedPhone> result = normalizer.normalize(raw);
        return result.ok() ? result->e164 : QStringLiteral("error: ") + result.error();
    };
    QStringList expected;
    for (const QString &raw : std::as_const(inputs))
        expected << describe(raw);

    QThreadPool pool;
    pool.setMaxThreadCount(4);
    const QStringList concurrent = QtConcurrent::blockingMapped(&pool, inputs, describe);
    QCOMPARE(concurrent, expected);
    QVERIFY(expected.count(QStringLiteral("+12127365000")) > 0);
    QVERIFY(QSet<QString>(expected.cbegin(), expected.cend()).size() > 100);
}

QTEST_GUILESS_MAIN(TestPhoneNumberNormalizer)
#include "TestPhoneNumberNormalizer.moc"
