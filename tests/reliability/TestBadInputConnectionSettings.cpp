// Bad input for the database address: whatever is typed into --db, DATABASE_URL or the settings,
// ConnectionSettings::parse either accepts it or says clearly why not, and never repeats the
// password it was given.
#include "BadInput.h"
#include "db/ConnectionSettings.h"

#include <QTest>

using namespace callops;
using namespace callops::test;

namespace {

// A password no generator or mutation produces by chance: if it shows up, it was copied.
const QString kPassword = QStringLiteral("Pw7f3a9c1eSecretXq");

const QStringList kSamples{
        QStringLiteral("postgresql://ops:%1@db.abcd.supabase.co:5432/postgres?sslmode=require")
                .arg(kPassword),
        QStringLiteral("postgres://postgres.abcd:%1@aws-0-eu.pooler.supabase.com:6543/postgres")
                .arg(kPassword),
        QStringLiteral("postgresql://u:%1@[::1]:5433/d?sslmode=verify-full&sslrootcert=/etc/ca.crt")
                .arg(kPassword),
        QStringLiteral("host=127.0.0.1 port=5544 dbname=calls user=ops password=%1 sslmode=disable")
                .arg(kPassword),
        QStringLiteral("host='db.example.org' dbname = 'my db' password='%1' connect_timeout=5")
                .arg(kPassword),
        QStringLiteral("password=%1 host=h sslrootcert=file:///etc/ca.crt").arg(kPassword),
};

const QStringList kDictionary{
        QStringLiteral("postgresql://"),
        QStringLiteral("postgres://"),
        QStringLiteral("mysql://"),
        QStringLiteral("://"),
        QStringLiteral("@"),
        QStringLiteral(":"),
        QStringLiteral("/"),
        QStringLiteral("?"),
        QStringLiteral("&"),
        QStringLiteral("="),
        QStringLiteral("%"),
        QStringLiteral("%00"),
        QStringLiteral("%zz"),
        QStringLiteral("%40"),
        QStringLiteral("["),
        QStringLiteral("]"),
        QStringLiteral("'"),
        QStringLiteral("\\"),
        QStringLiteral(" "),
        QStringLiteral("sslmode"),
        QStringLiteral("port"),
        QStringLiteral("host"),
        QStringLiteral("password"),
        QStringLiteral("user"),
        QStringLiteral("dbname"),
        QStringLiteral("connect_timeout"),
        QStringLiteral("verify-full"),
        QStringLiteral("65536"),
        QStringLiteral("-1"),
        QStringLiteral("0"),
        QStringLiteral("99999999999999999999"),
        QStringLiteral("#"),
        QStringLiteral("\n"),
};

// The sample with everything but the password mutated, so the password stays whole.
QString mutateAroundPassword(BadInput &input, const QString &sample)
{
    const qsizetype at = sample.indexOf(kPassword);
    const QString before = sample.left(at);
    const QString after = sample.mid(at + kPassword.size());
    switch (input.bounded(3)) {
    case 0:
        return input.mutate(before) + kPassword + after;
    case 1:
        return before + kPassword + input.mutate(after);
    default:
        return input.mutate(before) + kPassword + input.mutate(after);
    }
}

} // namespace

class TestBadInputConnectionSettings : public QObject
{
    Q_OBJECT

private slots:
    void generatedInputsGiveAValueOrAClearError();
    void passwordNeverInAnErrorOrTarget();
    void quotedValuesWithLineBreaksStayOneLine();
    void foundByTheFuzzer_data();
    void foundByTheFuzzer();
    void keywordStringMayHoldAUrlValue();
};

void TestBadInputConnectionSettings::generatedInputsGiveAValueOrAClearError()
{
    BadInput input(kSamples, kDictionary);
    FuzzBudget budget;
    int accepted = 0;
    while (budget.more()) {
        const BadInput::Case c = input.next();
        const auto settings = ConnectionSettings::parse(c.text);
        if (settings.ok()) {
            ++accepted;
            // Everything a caller does with parsed settings must hold up too.
            const QString target = settings->target();
            const QString url = settings->url();
            const QString keywords = settings->libpqKeywordString();
            Q_UNUSED(settings->qtConnectOptions());
            Q_UNUSED(settings->looksLikeTransactionPooler());
            const QString targetProblem = BadInput::problemWithError(target);
            QVERIFY2(targetProblem.isEmpty(),
                     qPrintable(targetProblem + QStringLiteral(" for ") + BadInput::describe(c.text)));
            if (settings->password().size() >= 6) {
                QVERIFY2(!target.contains(settings->password()),
                         qPrintable(c.kind + u' ' + BadInput::describe(c.text)));
            }
            // What we hand to child processes parses back to the same place.
            const auto again = ConnectionSettings::parse(keywords);
            if (!settings->host().isEmpty() && again.ok()) {
                QCOMPARE(again->port(), settings->port());
            }
            Q_UNUSED(url);
        } else {
            const QString problem = BadInput::problemWithError(settings.error(), {kPassword});
            QVERIFY2(problem.isEmpty(),
                     qPrintable(problem + QStringLiteral(" for ") + c.kind + u' '
                                + BadInput::describe(c.text)));
        }
    }
    qInfo("%d cases, %d accepted, seed %llu", budget.cases(), accepted, BadInput::seed());
    QVERIFY(budget.cases() > 100);
}

void TestBadInputConnectionSettings::passwordNeverInAnErrorOrTarget()
{
    BadInput input(kSamples, kDictionary);
    FuzzBudget budget;
    int rejected = 0;
    while (budget.more()) {
        const QString text = mutateAroundPassword(input, kSamples.at(input.bounded(int(kSamples.size()))));
        const auto settings = ConnectionSettings::parse(text);
        if (settings.ok()) {
            // A mutation may have made the password part of the user or host name, which are
            // shown; the password itself never is.
            if (settings->password().size() >= 6) {
                QVERIFY2(!settings->target().contains(settings->password()),
                         qPrintable(BadInput::describe(text)));
            }
        } else {
            ++rejected;
            const QString problem = BadInput::problemWithError(settings.error(), {kPassword});
            QVERIFY2(problem.isEmpty(),
                     qPrintable(problem + QStringLiteral(" for ") + BadInput::describe(text)));
        }
    }
    qInfo("%d cases, %d rejected, seed %llu", budget.cases(), rejected, BadInput::seed());
    QVERIFY(rejected > 0);
}

void TestBadInputConnectionSettings::quotedValuesWithLineBreaksStayOneLine()
{
    // Hand-picked: a quoted keyword value may hold any character, including a line break.
    for (const QString &text :
         {QStringLiteral("host=h sslmode='re\nquire'"), QStringLiteral("host=h port='54\n32'"),
          QStringLiteral("host=h fo\u2028o=1"), QStringLiteral("host=h connect_timeout='1\r\n0'")}) {
        const auto settings = ConnectionSettings::parse(text);
        QVERIFY2(!settings.ok(), qPrintable(BadInput::describe(text)));
        const QString problem = BadInput::problemWithError(settings.error());
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }
}

void TestBadInputConnectionSettings::foundByTheFuzzer_data()
{
    // Inputs this suite found that used to repeat the password or break the message.
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("secret");
    QTest::newRow("glued to the port") << "host=h port=5432password=hunter2secret"
                                       << "hunter2secret";
    QTest::newRow("unquoted space") << "host=h password=my hunter2secret"
                                    << "hunter2secret";
    QTest::newRow("keyword string with a URL value")
            << "password=hunter2secret host=h sslrootcert=file:///ca.crt port=x"
            << "hunter2secret";
    QTest::newRow("glued to a key") << "sswordhunter2secretFhost=h"
                                    << "hunter2secret";
    QTest::newRow("URL query") << "postgresql://u:hunter2secret@h/d?sslmode=hunter2secret"
                               << "hunter2secret";
    QTest::newRow("huge key") << QString(200000, 'k') + "=1" << QString(100, 'k');
}

void TestBadInputConnectionSettings::foundByTheFuzzer()
{
    QFETCH(QString, text);
    QFETCH(QString, secret);
    const auto settings = ConnectionSettings::parse(text);
    QVERIFY(!settings.ok());
    const QString problem = BadInput::problemWithError(settings.error(), {secret});
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestBadInputConnectionSettings::keywordStringMayHoldAUrlValue()
{
    const auto settings
            = ConnectionSettings::parse("host=h sslrootcert=file:///etc/ca.crt sslmode=verify-full");
    QVERIFY2(settings.ok(), qPrintable(settings.error()));
    QCOMPARE(settings->option("sslrootcert"), QStringLiteral("file:///etc/ca.crt"));
    // A near miss of a keyword is still named, with the keyword meant.
    const auto typo = ConnectionSettings::parse("host=h sslmod=require");
    QVERIFY(!typo.ok());
    QVERIFY2(typo.error().contains("sslmod") && typo.error().contains("sslmode"), qPrintable(typo.error()));
}

QTEST_GUILESS_MAIN(TestBadInputConnectionSettings)
#include "TestBadInputConnectionSettings.moc"
