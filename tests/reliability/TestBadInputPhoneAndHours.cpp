// Bad input for the phone normaliser and the calling-hours parser, the two parsers that read what
// people type about clinics: each input gives a usable value or a clear error, never a crash, and
// what is accepted behaves (E.164 that normalises to itself; hours that print and parse back the
// same and open only when they say).
#include "BadInput.h"
#include "phone/PhoneNumberNormalizer.h"
#include "scheduler/CallingWindow.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QTest>
#include <QTimeZone>

using namespace callops;
using namespace callops::test;

class TestBadInputPhoneAndHours : public QObject
{
    Q_OBJECT

private slots:
    void phoneNumbers();
    void phoneDefaultRegions();
    void callingHours();
};

void TestBadInputPhoneAndHours::phoneNumbers()
{
    const QStringList samples{"+1 212-736-5000",
                              "(212) 736-5000",
                              "212.736.5000",
                              "001 212 736 5000",
                              "+44 20 7946 0958",
                              "+34 912 345 678",
                              "555-12",
                              "+1 212 736 5000 ext. 42",
                              "\uff0b\uff11\uff12\uff11\uff12\uff17\uff13\uff16\uff15\uff10\uff10\uff10",
                              "\u0662\u0661\u0662\u0667\u0663\u0666\u0665\u0660\u0660\u0660",
                              "tel:+1-212-736-5000"};
    const QStringList dictionary{
            "+",  "-",   "(",  ")",   " ",    ".", "ext",    "x",      "#",      "*",
            "00", "011", "+1", "+44", "tel:", ";", "\u00a0", "\uff0b", "\u0661", "1-800-FLOWERS"};
    BadInput input(samples, dictionary);
    const PhoneNumberNormalizer normalizer(QStringLiteral("US"));
    // E.164 allows 15 digits, but libphonenumber knows valid German numbers of up to 17 national digits.
    const QRegularExpression e164(QStringLiteral("^\\+[1-9][0-9]{5,19}$"));
    FuzzBudget budget;
    int accepted = 0;
    while (budget.more()) {
        const BadInput::Case c = input.next();
        const QString what = c.kind + u' ' + BadInput::describe(c.text);
        const auto phone = normalizer.normalize(c.text);
        if (!phone) {
            const QString problem = BadInput::problemWithError(phone.error());
            QVERIFY2(problem.isEmpty(), qPrintable(problem + QStringLiteral(" for ") + what));
            continue;
        }
        ++accepted;
        QVERIFY2(e164.match(phone->e164).hasMatch(),
                 qPrintable(phone->e164 + QStringLiteral(" for ") + what));
        QVERIFY2(!phone->region.isEmpty(), qPrintable(what));
        // Normalising the result again changes nothing.
        const auto again = normalizer.normalize(phone->e164);
        QVERIFY2(again.ok(), qPrintable(again.error() + QStringLiteral(" for ") + what));
        QCOMPARE(again->e164, phone->e164);
    }
    qInfo("%d cases, %d accepted, seed %llu", budget.cases(), accepted, BadInput::seed());
    QVERIFY(accepted > 0);
}

void TestBadInputPhoneAndHours::phoneDefaultRegions()
{
    // A broken default region (from the settings) must not crash the normaliser either.
    BadInput input({"US", "GB", "ES", "001", "ZZ", "us"}, {"U", "S", "Z", "0"});
    FuzzBudget budget(3000);
    while (budget.more()) {
        const QString region = input.next().text;
        Q_UNUSED(PhoneNumberNormalizer::isValidRegion(region));
        const PhoneNumberNormalizer normalizer(region);
        for (const QString &number : {QStringLiteral("212-736-5000"), QStringLiteral("+1 212 736 5000")}) {
            const auto phone = normalizer.normalize(number);
            if (!phone) {
                const QString problem = BadInput::problemWithError(phone.error());
                QVERIFY2(problem.isEmpty(),
                         qPrintable(problem + QStringLiteral(" for region ") + BadInput::describe(region)));
            }
        }
        // An international number does not depend on the default region.
        const auto international = normalizer.normalize(QStringLiteral("+1 212 736 5000"));
        QVERIFY2(international.ok() && international->e164 == QStringLiteral("+12127365000"),
                 qPrintable(BadInput::describe(region)));
    }
    qInfo("%d regions, seed %llu", budget.cases(), BadInput::seed());
}

void TestBadInputPhoneAndHours::callingHours()
{
    const QStringList samples{"mon-fri 08:00-17:00",
                              "mon-fri 08:00-12:00,13:00-17:00; sat 09:00-12:00",
                              "fri-mon 10:00-14:00",
                              "mon,wed,fri 09:00-11:00",
                              "mon-sun 00:00-24:00",
                              "Monday-Friday 08:00-17:00",
                              "fri 22:00-24:00; sat 00:00-02:00"};
    const QStringList dictionary{"mon",    "tue",    "sun",
                                 "-",      ",",      ";",
                                 ":",      " ",      "24:00",
                                 "00:00",  "23:59",  "25:00",
                                 "08:60",  "-1:00",  "99999999999:00",
                                 "monday", "\u00a0", "\uff10\uff18:00"};
    const QList<QTimeZone> zones{
            QTimeZone("America/New_York"), QTimeZone("Europe/Madrid"), QTimeZone("Australia/Lord_Howe"),
            QTimeZone("Pacific/Chatham"),  QTimeZone::utc(),           QTimeZone("No/Such_Zone")};
    BadInput input(samples, dictionary);
    FuzzBudget budget;
    int accepted = 0;
    // Instants around daylight-saving changes and far away, from a fixed start (no wall clock).
    const QDateTime base(QDate(2026, 3, 8), QTime(6, 30), QTimeZone::utc());
    while (budget.more()) {
        const BadInput::Case c = input.next();
        const QString what = c.kind + u' ' + BadInput::describe(c.text);
        const auto window = CallingWindow::parse(c.text);
        if (!window) {
            const QString problem = BadInput::problemWithError(window.error());
            QVERIFY2(problem.isEmpty(), qPrintable(problem + QStringLiteral(" for ") + what));
            continue;
        }
        ++accepted;
        const auto again = CallingWindow::parse(window->toString());
        QVERIFY2(again.ok(), qPrintable(again.error() + QStringLiteral(" for ") + what));
        QVERIFY2(*again == *window, qPrintable(window->toString() + QStringLiteral(" for ") + what));
        for (int probe = 0; probe < 3; ++probe) {
            const QDateTime instant = base.addSecs(qint64(input.bounded(400 * 24 * 60)) * 60);
            const QTimeZone &zone = zones.at(input.bounded(int(zones.size())));
            const bool open = window->isOpen(instant, zone);
            const QDateTime next = window->nextOpening(instant, zone);
            const QDateTime closes = window->closesAt(instant, zone);
            if (open) {
                QCOMPARE(next, instant);
                QVERIFY2(closes.isValid() && closes > instant, qPrintable(what));
            } else if (next.isValid()) {
                QVERIFY2(next > instant, qPrintable(what));
                QVERIFY2(window->isOpen(next, zone),
                         qPrintable(window->toString() + u' ' + next.toString(Qt::ISODate)));
            }
        }
    }
    qInfo("%d cases, %d accepted, seed %llu", budget.cases(), accepted, BadInput::seed());
    QVERIFY(accepted > 0);
}

QTEST_GUILESS_MAIN(TestBadInputPhoneAndHours)
#include "TestBadInputPhoneAndHours.moc"
