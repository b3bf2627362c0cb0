#include "db/SqlScript.h"

#include <QTest>

using namespace callops;

class TestSqlScript : public QObject
{
    Q_OBJECT

private slots:
    void splits_data();
    void splits();
};

void TestSqlScript::splits_data()
{
    QTest::addColumn<QString>("script");
    QTest::addColumn<QStringList>("statements");
    QTest::newRow("two") << "SELECT 1; SELECT 2;" << QStringList{"SELECT 1", "SELECT 2"};
    QTest::newRow("no trailing semicolon") << "SELECT 1;\nSELECT 2" << QStringList{"SELECT 1", "SELECT 2"};
    QTest::newRow("semicolon in string") << "INSERT INTO t VALUES ('a;b', 'it''s;');"
                                         << QStringList{"INSERT INTO t VALUES ('a;b', 'it''s;')"};
    QTest::newRow("semicolon in identifier") << "SELECT 1 AS \"a;b\";" << QStringList{"SELECT 1 AS \"a;b\""};
    QTest::newRow("dollar body") << "DO $$ BEGIN PERFORM 1; PERFORM 2; END $$; SELECT 3;"
                                 << QStringList{"DO $$ BEGIN PERFORM 1; PERFORM 2; END $$", "SELECT 3"};
    QTest::newRow("tagged dollar body")
            << "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $fn$ SELECT 1; $fn$;"
            << QStringList{"CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $fn$ SELECT 1; $fn$"};
    QTest::newRow("positional parameter")
            << "PREPARE p AS SELECT $1; SELECT 2;" << QStringList{"PREPARE p AS SELECT $1", "SELECT 2"};
    QTest::newRow("comments") << "-- first; not a statement\nSELECT 1; /* a; b */ SELECT 2; -- trailing;"
                              << QStringList{"-- first; not a statement\nSELECT 1", "/* a; b */ SELECT 2"};
    QTest::newRow("only comments") << "-- nothing here;\n/* nor; here */" << QStringList{};
    QTest::newRow("empty") << "" << QStringList{};
}

void TestSqlScript::splits()
{
    QFETCH(QString, script);
    QFETCH(QStringList, statements);
    QCOMPARE(SqlScript::statements(script), statements);
}

QTEST_GUILESS_MAIN(TestSqlScript)
#include "TestSqlScript.moc"
