#include "TestDatabase.h"
#include "demo/DemoSeeder.h"
#include "workflow/WorkflowState.h"

#include <QSet>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

#include <phonenumbers/phonenumberutil.h>

using namespace callops;
using namespace callops::test;
using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

QStringList column(const QSqlDatabase &db, const QString &sql)
{
    QStringList values;
    QSqlQuery query(db);
    if (!query.exec(sql))
        qWarning("query failed: %s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
    while (query.next())
        values.append(query.value(0).toString());
    return values;
}

// E.164 when libphonenumber (default region US, as the scheduler's default) accepts the number.
QString validE164(const QString &phone)
{
    const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    if (util->Parse(phone.toStdString(), "US", &number) != PhoneNumberUtil::NO_PARSING_ERROR)
        return {};
    if (!util->IsValidNumber(number))
        return {};
    std::string formatted;
    util->Format(number, PhoneNumberUtil::E164, &formatted);
    return QString::fromStdString(formatted);
}

} // namespace

// The demo's sample data against a real, migrated database.
class TestDemoSeeder : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void aboutTwoHundredCallsAcrossStates();
    void statesAreKnownAndPassTheConstraint();
    void clinicsSpanTimeZones();
    void phoneNumbersAreValidExceptTheMalformedOnes();
    void someNumbersAreShared();
    void classificationsSomeExpired();
    void stuckCallsAreBackDated();
    void terminalRowsCarryReasons();
    void everyCallHasAHistoryEndingInItsState();
    void seedsOnlyAnEmptyDatabase();
    void sameSeedSameCalls();
    void demoWithEverythingDoneGetsNewCalls();

private:
    std::unique_ptr<TestDatabase> m_database;
    QSqlDatabase m_db;
    DemoSeedSummary m_summary;
};

void TestDemoSeeder::initTestCase()
{
    m_database = std::make_unique<TestDatabase>(QStringLiteral("demo_seeder"));
    QVERIFY2(m_database->isValid(), qPrintable(m_database->error()));
    QVERIFY2(m_database->migrate(), qPrintable(m_database->error()));
    m_db = m_database->connection();
    const auto summary = DemoSeeder(m_db).seed();
    QVERIFY2(summary, qPrintable(summary.error()));
    m_summary = *summary;
    QStringList perState;
    for (auto it = m_summary.callsPerState.cbegin(); it != m_summary.callsPerState.cend(); ++it)
        perState.append(QStringLiteral("%1=%2").arg(it.key()).arg(it.value()));
    qInfo("seeded %d calls (%s), %d classifications, %d history entries, %d sessions", m_summary.calls,
          qPrintable(perState.join(u' ')), m_summary.classifications, m_summary.events, m_summary.sessions);
}

void TestDemoSeeder::aboutTwoHundredCallsAcrossStates()
{
    QVERIFY(!m_summary.skipped);
    QVERIFY2(m_summary.calls >= 180 && m_summary.calls <= 220, qPrintable(QString::number(m_summary.calls)));
    QCOMPARE(scalar(m_db, QStringLiteral("SELECT count(*) FROM pending_calls")).toInt(), m_summary.calls);
    const QStringList states
            = column(m_db, QStringLiteral("SELECT DISTINCT workflow_state FROM pending_calls"));
    for (const char *expected :
         {"new", "checking_classification", "needs_classification", "classifying", "classification_pending",
          "ready_to_call", "calling", "retry_pending", "completed", "failed", "classification_failed"})
        QVERIFY2(states.contains(QString::fromLatin1(expected)), expected);
    // Most calls still have work ahead, so the demo has something to show.
    const int due = scalar(m_db,
                           QStringLiteral("SELECT count(*) FROM pending_calls WHERE next_action_at <= now() "
                                          "AND workflow_state IN ('new', 'checking_classification', "
                                          "'needs_classification', 'ready_to_call', 'retry_pending')"))
                            .toInt();
    QVERIFY2(due >= 100, qPrintable(QString::number(due)));
    // Some retry_pending rows have used up their retries: the first pass fails them.
    QVERIFY(scalar(m_db,
                   QStringLiteral("SELECT count(*) FROM pending_calls WHERE workflow_state = 'retry_pending' "
                                  "AND retry_count >= max_retries AND next_action_at <= now()"))
                    .toInt()
            > 0);
}

void TestDemoSeeder::statesAreKnownAndPassTheConstraint()
{
    for (const QString &state : column(m_db, QStringLiteral("SELECT workflow_state FROM pending_calls")))
        QVERIFY2(workflow::stateFromName(state) != WorkflowState::Unknown, qPrintable(state));
    // The rows were inserted under the check constraint; make sure it is really there.
    QCOMPARE(
            scalar(m_db,
                   QStringLiteral("SELECT count(*) FROM pg_constraint WHERE conname = 'valid_workflow_state' "
                                  "AND convalidated"))
                    .toInt(),
            1);
}

void TestDemoSeeder::clinicsSpanTimeZones()
{
    QVERIFY(scalar(m_db, QStringLiteral("SELECT count(DISTINCT clinic_name) FROM pending_calls")).toInt()
            >= 12);
    const QStringList zones = column(
            m_db,
            QStringLiteral(
                    "SELECT DISTINCT clinic_timezone FROM pending_calls WHERE clinic_timezone IS NOT NULL"));
    for (const char *zone : {"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
                             "America/Mexico_City", "Europe/Madrid"})
        QVERIFY2(zones.contains(QString::fromLatin1(zone)), zone);
    // Some clinics leave the zone to be derived from the number (London by its country code).
    QVERIFY(scalar(m_db, QStringLiteral("SELECT count(*) FROM pending_calls WHERE clinic_timezone IS NULL"))
                    .toInt()
            > 10);
    QVERIFY(scalar(m_db, QStringLiteral("SELECT count(*) FROM pending_calls WHERE phone LIKE '+44%'")).toInt()
            > 0);
    QCOMPARE(scalar(m_db,
                    QStringLiteral("SELECT count(*) FROM pending_calls WHERE appointment_time IS NULL OR "
                                   "exam_id IS NULL OR employee_name IS NULL OR employee_dob IS NULL"))
                     .toInt(),
             0);
    QCOMPARE(scalar(m_db, QStringLiteral("SELECT count(DISTINCT exam_id) = count(*) FROM pending_calls"))
                     .toBool(),
             true);
}

void TestDemoSeeder::phoneNumbersAreValidExceptTheMalformedOnes()
{
    QSqlQuery query(m_db);
    QVERIFY(query.exec(QStringLiteral("SELECT phone, workflow_state, failure_reason FROM pending_calls")));
    QStringList invalid;
    while (query.next()) {
        const QString phone = query.value(0).toString();
        if (validE164(phone).isEmpty())
            invalid.append(phone);
    }
    QVERIFY2(invalid.size() >= 4 && invalid.size() <= 10, qPrintable(invalid.join(u'|')));
    QVERIFY(invalid.contains(QStringLiteral("555-12")));
    QVERIFY(invalid.contains(QStringLiteral("n/a")));
    // Numbers are typed in several formats, as people do.
    QVERIFY(scalar(m_db, QStringLiteral("SELECT count(*) FROM pending_calls WHERE phone LIKE '(%'")).toInt()
            > 0);
    QVERIFY(scalar(m_db, QStringLiteral("SELECT count(*) FROM pending_calls WHERE phone LIKE '+1%'")).toInt()
            > 0);
    QVERIFY(scalar(m_db, QStringLiteral("SELECT count(*) FROM pending_calls WHERE phone ~ '^[0-9]{10}$'"))
                    .toInt()
            > 0);
}

void TestDemoSeeder::someNumbersAreShared()
{
    QMap<QString, int> callsPerNumber;
    for (const QString &phone : column(m_db, QStringLiteral("SELECT phone FROM pending_calls"))) {
        const QString e164 = validE164(phone);
        if (!e164.isEmpty())
            callsPerNumber[e164] += 1;
    }
    int shared = 0;
    for (const int count : std::as_const(callsPerNumber))
        shared += count > 1 ? 1 : 0;
    QVERIFY2(shared >= 10, qPrintable(QString::number(shared)));
    QVERIFY2(callsPerNumber.size() >= 60, qPrintable(QString::number(callsPerNumber.size())));
}

void TestDemoSeeder::classificationsSomeExpired()
{
    QCOMPARE(scalar(m_db, QStringLiteral("SELECT count(*) FROM call_classifications")).toInt(),
             m_summary.classifications);
    QVERIFY(scalar(m_db,
                   QStringLiteral("SELECT count(*) FROM call_classifications WHERE is_active AND "
                                  "classification_expires_at > now()"))
                    .toInt()
            >= 10);
    QVERIFY(scalar(m_db,
                   QStringLiteral("SELECT count(*) FROM call_classifications WHERE classification_expires_at "
                                  "< now()"))
                    .toInt()
            >= 3);
    const QStringList types
            = column(m_db, QStringLiteral("SELECT DISTINCT classification_type FROM call_classifications"));
    QVERIFY(types.contains(QStringLiteral("human")));
    QVERIFY(types.contains(QStringLiteral("ivr_only")));
    QVERIFY(types.contains(QStringLiteral("ivr_then_human")));
    // A call that is ready to call found a classification for its own number.
    QSqlQuery query(m_db);
    QVERIFY(query.exec(
            QStringLiteral("SELECT p.phone, c.phone_number FROM pending_calls p JOIN call_classifications "
                           "c ON c.id = p.classification_id WHERE p.workflow_state = 'ready_to_call'")));
    int checked = 0;
    while (query.next()) {
        QCOMPARE(validE164(query.value(0).toString()), validE164(query.value(1).toString()));
        ++checked;
    }
    QVERIFY(checked > 0);
    QCOMPARE(scalar(m_db,
                    QStringLiteral(
                            "SELECT count(*) FROM pending_calls WHERE workflow_state IN ('ready_to_call', "
                            "'calling', 'completed', 'classification_pending') AND classification_id IS "
                            "NULL"))
                     .toInt(),
             0);
}

void TestDemoSeeder::stuckCallsAreBackDated()
{
    const int stuck = scalar(m_db,
                             QStringLiteral("SELECT count(*) FROM pending_calls WHERE workflow_state IN "
                                            "('classifying', 'calling') AND state_changed_at < now() - "
                                            "interval '10 minutes' AND updated_at < now() - interval '10 "
                                            "minutes'"))
                              .toInt();
    QVERIFY2(stuck >= 3, qPrintable(QString::number(stuck)));
    // The guide's own stuck-call query finds them.
    QVERIFY(scalar(m_db,
                   QStringLiteral(
                           "SELECT count(*) FROM pending_calls WHERE workflow_state IN ('classifying', "
                           "'calling') AND updated_at < NOW() - INTERVAL '10 minutes'"))
                    .toInt()
            >= 3);
}

void TestDemoSeeder::terminalRowsCarryReasons()
{
    QCOMPARE(
            scalar(m_db,
                   QStringLiteral("SELECT count(*) FROM pending_calls WHERE workflow_state IN ('failed', "
                                  "'classification_failed') AND (failed_at IS NULL OR failure_reason IS NULL "
                                  "OR last_error IS NULL)"))
                    .toInt(),
            0);
    QCOMPARE(
            scalar(m_db,
                   QStringLiteral("SELECT count(*) FROM pending_calls WHERE workflow_state = 'completed' AND "
                                  "completed_at IS NULL"))
                    .toInt(),
            0);
    QCOMPARE(scalar(m_db,
                    QStringLiteral(
                            "SELECT count(*) FROM pending_calls WHERE workflow_state = 'retry_pending' AND "
                            "last_error IS NULL"))
                     .toInt(),
             0);
    const QStringList reasons = column(
            m_db,
            QStringLiteral(
                    "SELECT DISTINCT failure_reason FROM pending_calls WHERE failure_reason IS NOT NULL"));
    QVERIFY2(reasons.size() >= 4, qPrintable(reasons.join(u'|')));
    QVERIFY(reasons.contains(QStringLiteral("Max retries exceeded")));
    QCOMPARE(scalar(m_db,
                    QStringLiteral("SELECT count(*) FROM pending_calls WHERE workflow_state = 'failed' AND "
                                   "failure_reason = 'Max retries exceeded' AND retry_count <> max_retries"))
                     .toInt(),
             0);
}

void TestDemoSeeder::everyCallHasAHistoryEndingInItsState()
{
    QCOMPARE(scalar(m_db, QStringLiteral("SELECT count(*) FROM workflow_events")).toInt(), m_summary.events);
    QVERIFY(m_summary.events > m_summary.calls * 2);
    // The last entry of each call names its current state, and from_state chains the entries.
    QCOMPARE(scalar(m_db,
                    QStringLiteral(
                            "SELECT count(*) FROM pending_calls p WHERE p.workflow_state IS DISTINCT FROM "
                            "(SELECT e.to_state FROM workflow_events e WHERE e.pending_call_id = p.id "
                            "ORDER BY e.at DESC, e.id DESC LIMIT 1)"))
                     .toInt(),
             0);
    QCOMPARE(scalar(m_db,
                    QStringLiteral(
                            "SELECT count(*) FROM (SELECT from_state, lag(to_state) OVER (PARTITION BY "
                            "pending_call_id ORDER BY at, id) AS previous FROM workflow_events) h WHERE "
                            "h.from_state IS DISTINCT FROM h.previous"))
                     .toInt(),
             0);
    // History is in the past and the seeding itself added no now-dated entries.
    QCOMPARE(scalar(m_db,
                    QStringLiteral("SELECT count(*) FROM workflow_events WHERE at > now() OR actor = "
                                   "'demo-seeder'"))
                     .toInt(),
             0);
    QVERIFY(scalar(m_db, QStringLiteral("SELECT count(*) FROM call_sessions")).toInt() > 50);
}

void TestDemoSeeder::seedsOnlyAnEmptyDatabase()
{
    const auto again = DemoSeeder(m_db).seed();
    QVERIFY2(again, qPrintable(again.error()));
    QVERIFY(again->skipped);
    QCOMPARE(scalar(m_db, QStringLiteral("SELECT count(*) FROM pending_calls")).toInt(), m_summary.calls);
}

void TestDemoSeeder::sameSeedSameCalls()
{
    TestDatabase other(QStringLiteral("demo_seeder_again"));
    QVERIFY2(other.isValid(), qPrintable(other.error()));
    QVERIFY2(other.migrate(), qPrintable(other.error()));
    QSqlDatabase db = other.connection(QStringLiteral("again"));
    const auto summary = DemoSeeder(db).seed();
    QVERIFY2(summary, qPrintable(summary.error()));
    const QString sql
            = QStringLiteral("SELECT string_agg(exam_id || phone || workflow_state, ',' ORDER BY id) "
                             "FROM pending_calls");
    QCOMPARE(scalar(db, sql).toString(), scalar(m_db, sql).toString());
}

// Run again after the last run finished every call, the demo would show nothing moving.
void TestDemoSeeder::demoWithEverythingDoneGetsNewCalls()
{
    TestDatabase other(QStringLiteral("demo_seeder_done"));
    QVERIFY2(other.isValid(), qPrintable(other.error()));
    QVERIFY2(other.migrate(), qPrintable(other.error()));
    QSqlDatabase db = other.connection(QStringLiteral("done"));
    const auto first = DemoSeeder(db).seed();
    QVERIFY2(first, qPrintable(first.error()));
    // Calls still to do: kept as they are.
    const auto kept = DemoSeeder(db).seed();
    QVERIFY2(kept, qPrintable(kept.error()));
    QVERIFY(kept->skipped);
    QCOMPARE(kept->toppedUp, 0);
    QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM pending_calls")).toInt(), first->calls);

    QSqlQuery done(db);
    QVERIFY(done.exec(QStringLiteral(
            "UPDATE pending_calls SET workflow_state = CASE WHEN workflow_state IN ('failed', "
            "'classification_failed') THEN workflow_state ELSE 'completed' END, next_action_at = NULL, "
            "locked_by = NULL, locked_until = NULL")));
    const auto again = DemoSeeder(db).seed();
    QVERIFY2(again, qPrintable(again.error()));
    QVERIFY(again->skipped);
    QCOMPARE(again->toppedUp, DemoSeeder::kTopUpCalls);
    QCOMPARE(scalar(db, QStringLiteral("SELECT count(*) FROM pending_calls WHERE workflow_state = 'new'"))
                     .toInt(),
             DemoSeeder::kTopUpCalls);
    // New exams (no exam id twice), each with its "created as New" in the history, due now.
    QCOMPARE(scalar(db, QStringLiteral("SELECT count(DISTINCT exam_id) = count(*) FROM pending_calls"))
                     .toBool(),
             true);
    QCOMPARE(scalar(db,
                    QStringLiteral("SELECT count(*) FROM workflow_events e JOIN pending_calls c "
                                   "ON c.id = e.pending_call_id WHERE c.workflow_state = 'new' "
                                   "AND e.from_state IS NULL AND e.to_state = 'new'"))
                     .toInt(),
             DemoSeeder::kTopUpCalls);
    QCOMPARE(scalar(db,
                    QStringLiteral("SELECT count(*) FROM pending_calls WHERE workflow_state = 'new' "
                                   "AND (next_action_at IS NULL OR next_action_at <= now()) "
                                   "AND appointment_time > now()"))
                     .toInt(),
             DemoSeeder::kTopUpCalls);
    // With those to do, the next start keeps them.
    const auto after = DemoSeeder(db).seed();
    QVERIFY2(after, qPrintable(after.error()));
    QCOMPARE(after->toppedUp, 0);
}

QTEST_GUILESS_MAIN(TestDemoSeeder)
#include "TestDemoSeeder.moc"
