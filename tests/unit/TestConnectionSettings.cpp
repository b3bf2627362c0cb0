#include "db/ConnectionSettings.h"

#include <QTest>

using namespace callops;

class TestConnectionSettings : public QObject
{
    Q_OBJECT

private slots:
    void accepted_data();
    void accepted();
    void rejected_data();
    void rejected();
    void targetNeverShowsThePassword();
    void keywordStringRoundTrips();
    void urlRoundTrips();
    void transactionPoolerIsRecognised();
};

void TestConnectionSettings::accepted_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("database");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("sslmode");

    QTest::newRow("supabase direct")
            << "postgresql://postgres:s3cret@db.abcd.supabase.co:5432/postgres?sslmode=require"
            << "db.abcd.supabase.co" << 5432 << "postgres"
            << "postgres"
            << "s3cret"
            << "require";
    QTest::newRow("session pooler")
            << "postgres://postgres.abcd:pw@aws-0-eu-central-1.pooler.supabase.com:5432/postgres"
            << "aws-0-eu-central-1.pooler.supabase.com" << 5432 << "postgres"
            << "postgres.abcd"
            << "pw"
            << "";
    QTest::newRow("default port") << "postgresql://u@localhost/callops"
                                  << "localhost" << 5432 << "callops"
                                  << "u"
                                  << ""
                                  << "";
    QTest::newRow("percent-encoded password") << "postgresql://u:p%40ss%2Fw%3Ard@h:6000/d?sslmode=verify-full"
                                              << "h" << 6000 << "d"
                                              << "u"
                                              << "p@ss/w:rd"
                                              << "verify-full";
    QTest::newRow("ipv6") << "postgresql://u:p@[::1]:5433/d"
                          << "::1" << 5433 << "d"
                          << "u"
                          << "p"
                          << "";
    QTest::newRow("keywords") << "host=127.0.0.1 port=5544 dbname=calls user=ops password=x sslmode=disable"
                              << "127.0.0.1" << 5544 << "calls"
                              << "ops"
                              << "x"
                              << "disable";
    QTest::newRow("quoted keywords") << "host='db.example.org' dbname = 'my db' password='it\\'s a secret'"
                                     << "db.example.org" << 5432 << "my db"
                                     << ""
                                     << "it's a secret"
                                     << "";
    QTest::newRow("padded") << "  postgresql://u@h/d  "
                            << "h" << 5432 << "d"
                            << "u"
                            << ""
                            << "";
}

void TestConnectionSettings::accepted()
{
    QFETCH(QString, text);
    const auto settings = ConnectionSettings::parse(text);
    QVERIFY2(settings.ok(), qPrintable(settings.error()));
    QTEST(settings->host(), "host");
    QTEST(settings->port(), "port");
    QTEST(settings->databaseName(), "database");
    QTEST(settings->user(), "user");
    QTEST(settings->password(), "password");
    QTEST(settings->sslMode(), "sslmode");
}

void TestConnectionSettings::rejected_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("empty") << ""
                           << "No database given";
    QTest::newRow("blank") << "   "
                           << "No database given";
    QTest::newRow("http scheme") << "http://u:hunter2@h/d"
                                 << "Unsupported database URL scheme";
    QTest::newRow("garbage") << "just some words"
                             << "Not a database URL";
    QTest::newRow("bad port") << "postgresql://u:hunter2@h:99999/d"
                              << "Malformed database URL";
    QTest::newRow("bad sslmode") << "postgresql://u:hunter2@h/d?sslmode=sometimes"
                                 << "Unknown sslmode";
    QTest::newRow("unknown option") << "postgresql://u:hunter2@h/d?sslmod=require"
                                    << "Unknown connection setting";
    QTest::newRow("keyword without value") << "host=h dbname"
                                           << "has no value";
    QTest::newRow("unterminated quote") << "host=h password='hunter2"
                                        << "unterminated quote";
    QTest::newRow("keyword bad port") << "host=h port=abc"
                                      << "is not a number";
    QTest::newRow("path with slash") << "postgresql://u:hunter2@h/d/e"
                                     << "just the database name";
}

void TestConnectionSettings::rejected()
{
    QFETCH(QString, text);
    QFETCH(QString, messagePart);
    const auto settings = ConnectionSettings::parse(text);
    QVERIFY(!settings.ok());
    QVERIFY2(settings.error().contains(messagePart), qPrintable(settings.error()));
    QVERIFY2(!settings.error().contains("hunter2"), qPrintable(settings.error()));
}

void TestConnectionSettings::targetNeverShowsThePassword()
{
    const auto settings = ConnectionSettings::parse("postgresql://ops:hunter2@db.example.org:6432/calls");
    QVERIFY(settings.ok());
    QCOMPARE(settings->endpoint(), QStringLiteral("db.example.org:6432"));
    QVERIFY(settings->target().contains("db.example.org:6432/calls"));
    QVERIFY(settings->target().contains("ops"));
    QVERIFY(!settings->target().contains("hunter2"));
    QVERIFY(!settings->qtConnectOptions().contains("hunter2"));
}

void TestConnectionSettings::keywordStringRoundTrips()
{
    const auto original = ConnectionSettings::parse(
            "postgresql://o%20p:a%27b%5Cc@h:7/d?sslmode=require&application_name=x");
    QVERIFY(original.ok());
    const auto again = ConnectionSettings::parse(original->libpqKeywordString());
    QVERIFY2(again.ok(), qPrintable(again.error()));
    QCOMPARE(again->user(), QStringLiteral("o p"));
    QCOMPARE(again->password(), QStringLiteral("a'b\\c"));
    QCOMPARE(again->port(), 7);
    QCOMPARE(again->options(), original->options());
}

void TestConnectionSettings::urlRoundTrips()
{
    const auto original
            = ConnectionSettings::parse("host=h port=9 dbname=d user=u password='p@:/?#' sslmode=require");
    QVERIFY(original.ok());
    const auto again = ConnectionSettings::parse(original->url());
    QVERIFY2(again.ok(), qPrintable(again.error()));
    QCOMPARE(again->password(), QStringLiteral("p@:/?#"));
    QCOMPARE(again->sslMode(), QStringLiteral("require"));
    QCOMPARE(again->target(), original->target());
}

void TestConnectionSettings::transactionPoolerIsRecognised()
{
    QVERIFY(ConnectionSettings::parse(
                    "postgresql://u.ref:p@aws-0-us-east-1.pooler.supabase.com:6543/postgres")
                    ->looksLikeTransactionPooler());
    QVERIFY(!ConnectionSettings::parse(
                     "postgresql://u.ref:p@aws-0-us-east-1.pooler.supabase.com:5432/postgres")
                     ->looksLikeTransactionPooler());
    // Host names are case-insensitive, as pasted from a dashboard or typed by hand.
    const auto upper = ConnectionSettings::parse("host=AWS-0-US-EAST-1.Pooler.Supabase.COM port=6543 user=u");
    QVERIFY(upper->looksLikeTransactionPooler());
    const Status refused = upper->checkNotTransactionPooler();
    QVERIFY(!refused);
    QVERIFY2(refused.error().contains("session pooler (port 5432)"), qPrintable(refused.error()));
    QVERIFY(ConnectionSettings::parse("host=db.ref.supabase.co port=5432 user=u")
                    ->checkNotTransactionPooler());
}

QTEST_GUILESS_MAIN(TestConnectionSettings)
#include "TestConnectionSettings.moc"
