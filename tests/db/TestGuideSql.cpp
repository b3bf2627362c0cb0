#include "TestData.h"
#include "TestDatabase.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

using namespace callops;
using namespace callops::test;

// The guide's Step 7, Step 8 and Troubleshooting SQL, run unchanged through psql against the
// schema our migrations make: on a fresh database and on one upgraded from before Step 1.
class TestGuideSql : public QObject
{
    Q_OBJECT

private slots:
    void guideStatementsRun_data();
    void guideStatementsRun();
};

void TestGuideSql::guideStatementsRun_data()
{
    QTest::addColumn<bool>("upgraded");
    QTest::newRow("fresh") << false;
    QTest::newRow("upgraded from before Step 1") << true;
}

void TestGuideSql::guideStatementsRun()
{
    QFETCH(bool, upgraded);
    TestDatabase database(upgraded ? "guide_upgraded" : "guide_fresh");
    QVERIFY2(database.isValid(), qPrintable(database.error()));
    QString output;
    if (upgraded)
        QCOMPARE(database.psql(testData("pre_step1_schema.sql"), &output), 0);
    QVERIFY2(database.migrate(), qPrintable(database.error()));

    auto run = [&](const char *file) {
        const int code = database.psql(testData(QString::fromLatin1(file)), &output, {"-A", "-F", "|"});
        if (code != 0)
            qWarning("%s: %s", file, qPrintable(output));
        return code;
    };

    // 7.1: the test call goes in as `new`, due now.
    QCOMPARE(run("guide/step7_1_insert.sql"), 0);
    QSqlDatabase db = database.connection();
    QSqlQuery query(db);
    QVERIFY(query.exec("SELECT id FROM pending_calls WHERE exam_id = 'TEST-001'"));
    QVERIFY(query.next());
    const QString testCallId = query.value(0).toString();

    // 7.3: the new row is in the watch list with the columns the guide reads.
    QCOMPARE(run("guide/step7_3_watch.sql"), 0);
    QVERIFY2(output.contains("Test Patient|new|0|"), qPrintable(output));
    QVERIFY(query.exec(
            QStringLiteral("INSERT INTO call_sessions (pending_call_id, call_sid) VALUES ('%1', 'CA-T1')")
                    .arg(testCallId)));
    QCOMPARE(run("guide/step7_3_sessions.sql"), 0);
    QVERIFY2(output.contains("CA-T1") && output.contains("|new"), qPrintable(output));

    // 8.2: the dashboard view and the stuck-call alert.
    QCOMPARE(database.psql("SELECT * FROM scheduler_dashboard ORDER BY workflow_state", &output,
                           {"-A", "-F", "|"}),
             0);
    QVERIFY2(output.contains(upgraded ? "new|4|" : "new|1|"), qPrintable(output));
    QVERIFY(query.exec(QStringLiteral("UPDATE pending_calls SET workflow_state = 'calling', "
                                      "updated_at = now() - interval '2 hours' WHERE id = '%1'")
                               .arg(testCallId)));
    QCOMPARE(run("guide/step8_2_stuck.sql"), 0);
    QVERIFY2(output.contains("TEST-001"), qPrintable(output));

    // Troubleshooting: counts per state, then the reset of stuck calls.
    QCOMPARE(run("guide/troubleshooting_states.sql"), 0);
    QVERIFY2(output.contains("calling|1"), qPrintable(output));
    QCOMPARE(run("guide/troubleshooting_reset.sql"), 0);
    QVERIFY(query.exec(
            QStringLiteral("SELECT workflow_state FROM pending_calls WHERE id = '%1'").arg(testCallId)));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toString(), QStringLiteral("retry_pending"));

    // 8.3: the manual review list shows failed rows first by failed_at.
    QVERIFY(query.exec(
            QStringLiteral("UPDATE pending_calls SET workflow_state = 'failed', failed_at = now(), "
                           "failure_reason = 'Max retries exceeded' WHERE id = '%1'")
                    .arg(testCallId)));
    QCOMPARE(run("guide/step8_3_review.sql"), 0);
    QVERIFY2(output.contains("TEST-001"), qPrintable(output));
    QVERIFY2(output.contains("Max retries exceeded"), qPrintable(output));

    // Every change above left its history.
    QVERIFY(query.exec(QStringLiteral("SELECT string_agg(to_state, ',' ORDER BY id) FROM workflow_events "
                                      "WHERE pending_call_id = '%1'")
                               .arg(testCallId)));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toString(), QStringLiteral("new,calling,retry_pending,failed"));
}

QTEST_GUILESS_MAIN(TestGuideSql)
#include "TestGuideSql.moc"
