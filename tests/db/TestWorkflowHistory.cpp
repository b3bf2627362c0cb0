#include "TestDatabase.h"

#include <QSignalSpy>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

using namespace callops;
using namespace callops::test;

namespace {

const char *kCallId = "33333333-3333-3333-3333-333333333333";

} // namespace

class TestWorkflowHistory : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void insertIsRecorded();
    void updateFromPsqlIsRecordedWithSessionUser();
    void actorAndReasonComeFromTheTransaction();
    void errorBecomesTheReason();
    void updatesThatKeepTheStateAddNothing();
    void updatedAtAndStateChangedAtAreKept();
    void leasesLeaveUpdatedAtAlone();
    void generatedColumnsAreKnownToTheLeaseTest();
    void changesAreNotified();

private:
    std::unique_ptr<TestDatabase> m_database;
};

void TestWorkflowHistory::init()
{
    m_database = std::make_unique<TestDatabase>(QString::fromLatin1(QTest::currentTestFunction()));
    QVERIFY2(m_database->isValid(), qPrintable(m_database->error()));
    QVERIFY2(m_database->migrate(), qPrintable(m_database->error()));
    QString output;
    QCOMPARE(m_database->psql(
                     QStringLiteral("INSERT INTO pending_calls (id, exam_id, phone) VALUES ('%1', 'EX', "
                                    "'+15555550100')")
                             .arg(QLatin1String(kCallId)),
                     &output),
             0);
}

void TestWorkflowHistory::cleanup()
{
    m_database.reset();
}

void TestWorkflowHistory::insertIsRecorded()
{
    QSqlDatabase db = m_database->connection();
    QSqlQuery query(db);
    QVERIFY(query.exec("SELECT from_state, to_state, actor FROM workflow_events"));
    QVERIFY(query.next());
    QVERIFY(query.value(0).isNull());
    QCOMPARE(query.value(1).toString(), QStringLiteral("new"));
    QCOMPARE(query.value(2).toString(), QStringLiteral("postgres"));
    QVERIFY(!query.next());
}

void TestWorkflowHistory::updateFromPsqlIsRecordedWithSessionUser()
{
    QString output;
    QCOMPARE(m_database->psql("UPDATE pending_calls SET workflow_state = 'ready_to_call'", &output), 0);
    QCOMPARE(m_database->psql("UPDATE pending_calls SET workflow_state = 'calling'", &output), 0);
    QSqlQuery query(m_database->connection());
    QVERIFY(query.exec("SELECT from_state, to_state, actor FROM workflow_events ORDER BY id"));
    QStringList path;
    while (query.next()) {
        path << query.value(0).toString() + "->" + query.value(1).toString();
        QCOMPARE(query.value(2).toString(), QStringLiteral("postgres"));
    }
    QCOMPARE(path, QStringList({"->new", "new->ready_to_call", "ready_to_call->calling"}));
}

void TestWorkflowHistory::actorAndReasonComeFromTheTransaction()
{
    QSqlDatabase db = m_database->connection();
    QVERIFY(db.transaction());
    QSqlQuery set(db);
    set.prepare("SELECT set_config('callops.actor', ?, true), set_config('callops.reason', ?, true), "
                "set_config('callops.event', 'manual_mark_failed', true)");
    set.addBindValue(QStringLiteral("operator:alice"));
    set.addBindValue(QStringLiteral("clinic closed permanently"));
    QVERIFY(set.exec());
    QSqlQuery update(db);
    QVERIFY(update.exec("UPDATE pending_calls SET workflow_state = 'failed'"));
    QVERIFY(db.commit());

    QSqlQuery query(db);
    QVERIFY(query.exec(
            "SELECT actor, reason, detail->>'event' FROM workflow_events WHERE to_state = 'failed'"));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toString(), QStringLiteral("operator:alice"));
    QCOMPARE(query.value(1).toString(), QStringLiteral("clinic closed permanently"));
    QCOMPARE(query.value(2).toString(), QStringLiteral("manual_mark_failed"));

    // The settings were local to that transaction: the next writer is itself again.
    QVERIFY(update.exec("UPDATE pending_calls SET workflow_state = 'new'"));
    QCOMPARE(scalar(db, "SELECT actor FROM workflow_events WHERE to_state = 'new' ORDER BY id DESC LIMIT 1")
                     .toString(),
             QStringLiteral("postgres"));
}

void TestWorkflowHistory::errorBecomesTheReason()
{
    QString output;
    QCOMPARE(m_database->psql(
                     "UPDATE pending_calls SET workflow_state = 'retry_pending', last_error = 'HTTP 503'",
                     &output),
             0);
    QCOMPARE(scalar(m_database->connection(),
                    "SELECT reason FROM workflow_events WHERE to_state = 'retry_pending'")
                     .toString(),
             QStringLiteral("HTTP 503"));
}

void TestWorkflowHistory::updatesThatKeepTheStateAddNothing()
{
    QString output;
    QCOMPARE(m_database->psql(
                     "UPDATE pending_calls SET next_action_at = now() + interval '1 hour', retry_count = 2",
                     &output),
             0);
    QCOMPARE(scalar(m_database->connection(), "SELECT count(*) FROM workflow_events").toInt(), 1);
}

void TestWorkflowHistory::updatedAtAndStateChangedAtAreKept()
{
    QSqlDatabase db = m_database->connection();
    QSqlQuery query(db);
    QVERIFY(query.exec("UPDATE pending_calls SET updated_at = now() - interval '2 hours', "
                       "state_changed_at = now() - interval '2 hours'"));
    QVERIFY2(scalar(db, "SELECT updated_at < now() - interval '1 hour' FROM pending_calls").toBool(),
             "an explicit updated_at is obeyed");
    QVERIFY(query.exec("UPDATE pending_calls SET last_error = 'x'"));
    QVERIFY(scalar(db, "SELECT updated_at > now() - interval '1 minute' FROM pending_calls").toBool());
    QVERIFY2(scalar(db, "SELECT state_changed_at < now() - interval '1 hour' FROM pending_calls").toBool(),
             "state_changed_at moves only with the state");
    QVERIFY(query.exec("UPDATE pending_calls SET workflow_state = 'needs_classification'"));
    QVERIFY(scalar(db, "SELECT state_changed_at > now() - interval '1 minute' FROM pending_calls").toBool());
}

// The guide's stuck-call query and the console's default order read updated_at: a scheduler
// taking or releasing a lease has not changed the call. The row has a phone, so its generated
// phone_digits is set, which NEW in a BEFORE trigger does not show yet.
void TestWorkflowHistory::leasesLeaveUpdatedAtAlone()
{
    QSqlDatabase db = m_database->connection();
    QSqlQuery query(db);
    QVERIFY(query.exec("UPDATE pending_calls SET updated_at = now() - interval '2 hours', "
                       "phone_e164 = '+15555550100'"));
    QVERIFY(scalar(db, "SELECT phone_digits = '15555550100' FROM pending_calls").toBool());
    const QString backDated
            = QStringLiteral("SELECT updated_at < now() - interval '1 hour' FROM pending_calls");

    QVERIFY(query.exec("UPDATE pending_calls SET locked_by = 'scheduler-a', "
                       "locked_until = now() + interval '5 minutes'"));
    QVERIFY2(scalar(db, backDated).toBool(), "taking a lease moved updated_at");
    QVERIFY(query.exec("UPDATE pending_calls SET locked_until = now() + interval '10 minutes'"));
    QVERIFY2(scalar(db, backDated).toBool(), "renewing a lease moved updated_at");
    QVERIFY(query.exec("UPDATE pending_calls SET locked_by = NULL, locked_until = NULL"));
    QVERIFY2(scalar(db, backDated).toBool(), "releasing a lease moved updated_at");
    QCOMPARE(scalar(db, "SELECT phone_e164 FROM pending_calls").toString(), QStringLiteral("+15555550100"));

    // A lease taken together with a real change is a change.
    QVERIFY(query.exec("UPDATE pending_calls SET locked_by = 'scheduler-a', retry_count = retry_count + 1"));
    QVERIFY(scalar(db, "SELECT updated_at > now() - interval '1 minute' FROM pending_calls").toBool());
    QVERIFY(query.exec("UPDATE pending_calls SET updated_at = now() - interval '2 hours'"));
    QVERIFY(query.exec("UPDATE pending_calls SET locked_by = NULL, phone = '+15555550101'"));
    QVERIFY2(scalar(db, "SELECT updated_at > now() - interval '1 minute' FROM pending_calls").toBool(),
             "a new phone number is a change");
    QVERIFY2(scalar(db, "SELECT phone_e164 IS NULL FROM pending_calls").toBool(),
             "a new phone number forgets its E.164 form");
}

// The touch trigger copies each generated column from OLD before it compares a lease-only update
// (0022): NEW does not have them yet in a BEFORE trigger. A generated column added without that
// would make every lease move updated_at again.
void TestWorkflowHistory::generatedColumnsAreKnownToTheLeaseTest()
{
    QSqlQuery query(m_database->connection());
    QVERIFY(query.exec("SELECT attname FROM pg_attribute WHERE attrelid = 'pending_calls'::regclass "
                       "AND attgenerated <> '' AND NOT attisdropped ORDER BY 1"));
    QStringList generated;
    while (query.next())
        generated.append(query.value(0).toString());
    QVERIFY(query.exec("SELECT prosrc FROM pg_proc WHERE proname = 'callops_touch_pending_call'"));
    QVERIFY(query.next());
    const QString body = query.value(0).toString();
    QVERIFY(!generated.isEmpty());
    for (const QString &column : std::as_const(generated)) {
        QVERIFY2(body.contains(QStringLiteral("v_without_lease.%1 := OLD.%1").arg(column)),
                 qPrintable(QStringLiteral(
                                    "generated column %1 is not copied over in callops_touch_pending_call")
                                    .arg(column)));
    }
}

void TestWorkflowHistory::changesAreNotified()
{
    QSqlDatabase listener = m_database->connection("listener");
    QVERIFY(listener.driver()->subscribeToNotification("pending_calls"));
    QSignalSpy spy(listener.driver(), &QSqlDriver::notification);
    QString output;
    QCOMPARE(m_database->psql("UPDATE pending_calls SET workflow_state = 'ready_to_call'", &output), 0);
    QVERIFY(spy.wait(5000));
    QCOMPARE(spy.first().at(0).toString(), QStringLiteral("pending_calls"));
    QCOMPARE(spy.first().at(2).toString(), QStringLiteral("update"));
}

QTEST_GUILESS_MAIN(TestWorkflowHistory)
#include "TestWorkflowHistory.moc"
