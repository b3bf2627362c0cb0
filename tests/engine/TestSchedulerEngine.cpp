#include "ChildProcesses.h"
#include "ContractServer.h"
#include "LockRace.h"
#include "SignalArrival.h"
#include "StoppedBackend.h"
#include "TestDatabase.h"
#include "console/ConsoleRepository.h"
#include "scheduler/SchedulerEngine.h"
#include "scheduler/SchedulerThread.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QSysInfo>
#include <QTest>
#include <QTimeZone>

#include <algorithm>

using namespace callops;
using namespace callops::test;

namespace {

// Valid numbers (libphonenumber accepts them), each written two ways.
const char *kNumberA = "+1 212-736-5000";
const char *kNumberAOther = "(212) 736 5000";
const char *kNumberB = "+44 20 7946 0000";
const char *kNumberC = "+1 312-555-0000";

// A day-of-week spec that excludes today in every zone (today and the days next to it are off),
// so "outside the calling window" holds wherever the clinic is.
QString windowClosedToday()
{
    static const char *names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    const int today = QDate::currentDate().dayOfWeek(); // 1 = Monday
    const int open = (today + 2) % 7 + 1; // three days ahead: never today anywhere on Earth
    return QStringLiteral("%1 09:00-10:00").arg(QLatin1String(names[open - 1]));
}

} // namespace

class TestSchedulerEngine : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void newCallsLookUpTheirClassification();
    void unparsableNumberFailsWithoutACall();
    void classificationCallIsStartedAndShared();
    void ivrWaitOfThirtySeconds();
    void taskCallIsStartedOnceWithItsAttempt();
    void busyNumberWaits();
    void outsideTheCallingWindowWaitsForTheOpening();
    void retryPendingFollowsTheGuide_data();
    void retryPendingFollowsTheGuide();
    void failedRequests_data();
    void failedRequests();
    void inFlightTimeoutRescuesWithANewAttempt();
    void unknownStateIsSkippedWithAMessage();
    void absurdRowsAreReportedNotFatal();
    void onceFromTheCommandLine();
    void newWorkWakesTheSchedulerAtOnce();
    void callsPerSecondIsSharedBySchedulers();
    void stopGivesBackClaims();
    void lostConnectionIsReconnected();
    void closedSessionIsNoticedWhileWaitingForWork();
    void queuedCallsGoOutAfterTheConnectionComesBack();
    void waitingCallsDoNotSpinThePasses();
    void lateClassificationFailureLeavesTheTaskCallAlone();
    void callCutShortWhileClassifyingIsClassifiedAgain();
    void refusedRequestsStopCallsWithoutSpendingAttempts();
    void misspelledClinicZoneIsSaidOnTheRow();
    void answerThatComesWhileTheDatabaseIsAwayIsKept();
    void refusedLoginIsNotTriedAgainAndAgain();
    void stopIsHeardWhileATableLockIsHeld();
    void stopIsHeardWhileTheServerDoesNotAnswer();
    void databaseNotMigratedIsSaidOnceAndWaitedFor();
    void presenceIsReportedForTheConsoles();

private:
    QString insert(const QString &state, const QString &phone, const QString &extraColumns = {},
                   const QString &extraValues = {});
    // Runs one pass on a fresh engine and returns its summary (after its calls were posted).
    PassSummary runPass(const QString &callingHours = QStringLiteral("mon-sun 00:00-24:00"),
                        QStringList *errors = nullptr);
    QString stateOf(const QString &id);
    // A classification of the line as a person answering: what a call that reached its task
    // call (calling, retry_pending) has behind it.
    QString addClassification();

    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<ContractServer> m_server;
};

void TestSchedulerEngine::init()
{
    m_db = std::make_unique<TestDatabase>(QString::fromLatin1(QTest::currentTestFunction()));
    QVERIFY2(m_db->isValid() && m_db->migrate(), qPrintable(m_db->error()));
    m_server = std::make_unique<ContractServer>();
}

void TestSchedulerEngine::cleanup()
{
    m_server.reset();
    m_db.reset();
}

QString TestSchedulerEngine::insert(const QString &state, const QString &phone, const QString &extraColumns,
                                    const QString &extraValues)
{
    QSqlQuery query(m_db->connection());
    const QString sql
            = QStringLiteral("INSERT INTO pending_calls (exam_id, employee_name, phone, workflow_state%1) "
                             "VALUES ('EX', 'Some Body', :phone, :state%2) RETURNING id")
                      .arg(extraColumns.isEmpty() ? QString() : ", " + extraColumns,
                           extraValues.isEmpty() ? QString() : ", " + extraValues);
    query.prepare(sql);
    query.bindValue(":phone", phone);
    query.bindValue(":state", state);
    if (!query.exec() || !query.next()) {
        qWarning("insert failed: %s", qPrintable(query.lastError().text()));
        return {};
    }
    return query.value(0).toString();
}

QString TestSchedulerEngine::addClassification()
{
    return scalar(m_db->connection(),
                  QStringLiteral(
                          "INSERT INTO call_classifications (phone_number, classification_type, is_active) "
                          "VALUES ('+1 212-736-5000', 'human', true) RETURNING id"))
            .toString();
}

QString TestSchedulerEngine::stateOf(const QString &id)
{
    return scalar(m_db->connection(),
                  QStringLiteral("SELECT workflow_state FROM pending_calls WHERE id = '%1'").arg(id))
            .toString();
}

PassSummary TestSchedulerEngine::runPass(const QString &callingHours, QStringList *errors)
{
    SchedulerConfig config;
    config.database = m_db->settings();
    config.supabaseUrl = m_server->baseUrl();
    config.serviceKey = QStringLiteral("test-service-key");
    config.callsPerSecond = 0;
    config.callingHours = callingHours;
    config.continuous = false;
    config.httpTimeoutMs = 5000;
    SchedulerThread scheduler(config);
    QSignalSpy finished(scheduler.engine(), &SchedulerEngine::passFinished);
    QSignalSpy failures(scheduler.engine(), &SchedulerEngine::errorOccurred);
    scheduler.start();
    if (!arrives(finished, 20000)) {
        qWarning("no pass finished");
        return {};
    }
    if (errors) {
        for (const auto &args : std::as_const(failures))
            errors->append(args.at(0).toString());
    }
    scheduler.stopAndWait(10000);
    return finished.first().at(0).value<PassSummary>();
}

void TestSchedulerEngine::newCallsLookUpTheirClassification()
{
    QSqlQuery query(m_db->connection());
    // Stored in one format, looked up from another: numbers are compared in E.164.
    QVERIFY(query.exec(
            QStringLiteral("INSERT INTO call_classifications (phone_number, classification_type, "
                           "classification_expires_at, created_at) VALUES "
                           "('%1', 'ivr_only', now() + interval '1 day', now() - interval '1 hour'), "
                           "('%1', 'human', now() + interval '2 days', now()), "
                           "('%2', 'human', now() - interval '1 day', now())")
                    .arg(QLatin1String(kNumberAOther), QLatin1String(kNumberB))));
    const QString known = insert("new", kNumberA);
    const QString expired = insert("new", kNumberB);
    const QString unknown = insert("checking_classification", kNumberC);

    const PassSummary summary = runPass();
    QCOMPARE(summary.processed, 3);
    QCOMPARE(stateOf(known), QStringLiteral("ready_to_call"));
    QCOMPARE(stateOf(expired), QStringLiteral("needs_classification"));
    QCOMPARE(stateOf(unknown), QStringLiteral("needs_classification"));
    // Two active classifications are not an error: the newest wins.
    QCOMPARE(scalar(m_db->connection(),
                    QStringLiteral("SELECT c.classification_type FROM pending_calls p JOIN "
                                   "call_classifications c ON c.id = p.classification_id "
                                   "WHERE p.id = '%1'")
                            .arg(known))
                     .toString(),
             QStringLiteral("human"));
    QCOMPARE(scalar(m_db->connection(),
                    QStringLiteral("SELECT phone_e164 FROM pending_calls WHERE id = '%1'").arg(known))
                     .toString(),
             QStringLiteral("+12127365000"));
    QVERIFY(m_server->received().isEmpty());
    QStringList statuses;
    for (const RowResult &r : summary.results)
        statuses << r.status;
    statuses.sort();
    QCOMPARE(statuses, QStringList({"classification_found", "needs_classification", "needs_classification"}));

    // A classification written later by someone else, in yet another format, is found by the
    // next pass (its number is normalised before the look-up, not in some later sweep).
    QVERIFY(query.exec(QStringLiteral(
            "INSERT INTO call_classifications (phone_number, classification_type, "
            "classification_expires_at) VALUES ('312.555.0000', 'ivr_only', now() + interval '1 day')")));
    const QString later = insert("new", kNumberC);
    runPass();
    QCOMPARE(stateOf(later), QStringLiteral("ready_to_call"));
}

void TestSchedulerEngine::unparsableNumberFailsWithoutACall()
{
    const QString bad = insert("ready_to_call", "555-12");
    const QString none = insert("new", QString());
    const QString good = insert("ready_to_call", kNumberA);
    runPass();
    QCOMPARE(stateOf(bad), QStringLiteral("failed"));
    QCOMPARE(stateOf(none), QStringLiteral("failed"));
    QCOMPARE(stateOf(good), QStringLiteral("calling"));
    QVERIFY(scalar(m_db->connection(),
                   QStringLiteral("SELECT failure_reason LIKE 'Invalid phone number%' AND failed_at "
                                  "IS NOT NULL AND last_error IS NOT NULL FROM pending_calls WHERE id = '%1'")
                           .arg(bad))
                    .toBool());
    QCOMPARE(m_server->received().size(), 1);
    QCOMPARE(m_server->received().first().pendingCallId, good);
}

void TestSchedulerEngine::classificationCallIsStartedAndShared()
{
    const QString first = insert("needs_classification", kNumberA);
    const QString second = insert("needs_classification", kNumberAOther, "next_action_at",
                                  "now() + interval '1 second' - interval '1 minute'");
    runPass();
    // One classification call for the number; the other call waits to share its result.
    QCOMPARE(m_server->received().size(), 1);
    const ContractServer::Received call = m_server->received().first();
    QCOMPARE(call.kind, QStringLiteral("classification"));
    QCOMPARE(call.attempt, 1);
    const QString classified = call.pendingCallId;
    const QString waiting = classified == first ? second : first;
    QCOMPARE(call.idempotencyKey, classified + ":classification:1");
    QCOMPARE(call.authorization, QByteArray("Bearer test-service-key"));
    QCOMPARE(stateOf(classified), QStringLiteral("classifying"));
    QCOMPARE(stateOf(waiting), QStringLiteral("checking_classification"));
    QCOMPARE(scalar(m_db->connection(),
                    QStringLiteral("SELECT classification_attempts FROM pending_calls WHERE id = '%1'")
                            .arg(classified))
                     .toInt(),
             1);
}

void TestSchedulerEngine::ivrWaitOfThirtySeconds()
{
    const QString elapsed = insert("classification_pending", kNumberA, "ivr_classified_at",
                                   "now() - interval '31 seconds'");
    const QString waiting
            = insert("classification_pending", kNumberB, "ivr_classified_at", "now() - interval '5 seconds'");
    const PassSummary summary = runPass();
    QCOMPARE(summary.processed, 2);
    QCOMPARE(stateOf(elapsed), QStringLiteral("ready_to_call"));
    QCOMPARE(stateOf(waiting), QStringLiteral("classification_pending"));
    // Due again exactly 30 s after the IVR was classified.
    QVERIFY(scalar(m_db->connection(),
                   QStringLiteral("SELECT abs(extract(epoch FROM next_action_at - (ivr_classified_at + "
                                  "interval '30 s'))) < 1 "
                                  "FROM pending_calls WHERE id = '%1'")
                           .arg(waiting))
                    .toBool());
}

void TestSchedulerEngine::taskCallIsStartedOnceWithItsAttempt()
{
    const QString id = insert("ready_to_call", kNumberA, "attempt", "4");
    const PassSummary summary = runPass();
    QCOMPARE(summary.callsStarted, 1);
    QCOMPARE(m_server->received().size(), 1);
    const ContractServer::Received call = m_server->received().first();
    QCOMPARE(call.kind, QStringLiteral("task"));
    QCOMPARE(call.attempt, 5);
    QCOMPARE(call.idempotencyKey, id + ":task:5");
    QCOMPARE(stateOf(id), QStringLiteral("calling"));
    QSqlDatabase db = m_db->connection();
    QVERIFY(scalar(db,
                   QStringLiteral("SELECT last_attempt_at IS NOT NULL AND locked_by IS NULL AND attempt = 5 "
                                  "FROM pending_calls WHERE id = '%1'")
                           .arg(id))
                    .toBool());
    QCOMPARE(scalar(db,
                    QStringLiteral("SELECT actor LIKE 'scheduler:%' FROM workflow_events WHERE "
                                   "pending_call_id = '%1' "
                                   "AND to_state = 'calling'")
                            .arg(id))
                     .toBool(),
             true);
    QCOMPARE(summary.results.first().status, QStringLiteral("task_call_triggered"));

    // A second pass finds nothing to do: the call is in flight.
    const PassSummary again = runPass();
    QCOMPARE(again.processed, 0);
    QCOMPARE(m_server->received().size(), 1);
}

void TestSchedulerEngine::busyNumberWaits()
{
    insert("calling", kNumberA, "phone_e164, attempt", "'+12127365000', 1");
    const QString waiting = insert("ready_to_call", kNumberAOther);
    const QString sameBatchA = insert("ready_to_call", kNumberB);
    const QString sameBatchB = insert("ready_to_call", kNumberB);
    runPass();
    QCOMPARE(stateOf(waiting), QStringLiteral("ready_to_call"));
    QVERIFY(scalar(m_db->connection(),
                   QStringLiteral("SELECT next_action_at > now() FROM pending_calls WHERE id = '%1'")
                           .arg(waiting))
                    .toBool());
    // Two calls to one free number in one batch: one goes, one waits.
    QCOMPARE(m_server->received().size(), 1);
    QCOMPARE(QSet<QString>({stateOf(sameBatchA), stateOf(sameBatchB)}),
             QSet<QString>({"calling", "ready_to_call"}));
}

void TestSchedulerEngine::outsideTheCallingWindowWaitsForTheOpening()
{
    const QString id = insert("ready_to_call", kNumberB, "clinic_timezone", "'Europe/London'");
    const QString classification = insert("needs_classification", kNumberA);
    const QString hours = windowClosedToday();
    const PassSummary summary = runPass(hours);
    QVERIFY(m_server->received().isEmpty());
    QCOMPARE(stateOf(id), QStringLiteral("ready_to_call"));
    QCOMPARE(stateOf(classification), QStringLiteral("needs_classification"));
    // Due again at 09:00 London time on the open day.
    const QDateTime next
            = scalar(m_db->connection(),
                     QStringLiteral("SELECT next_action_at FROM pending_calls WHERE id = '%1'").arg(id))
                      .toDateTime();
    const QDateTime local = next.toTimeZone(QTimeZone("Europe/London"));
    QCOMPARE(local.time(), QTime(9, 0));
    QCOMPARE(local.date().toString("ddd").toLower().left(3), hours.left(3));
    QVERIFY(next > QDateTime::currentDateTimeUtc());
    for (const RowResult &r : summary.results)
        QCOMPARE(r.status, QStringLiteral("outside_calling_window"));
}

void TestSchedulerEngine::retryPendingFollowsTheGuide_data()
{
    QTest::addColumn<int>("retryCount");
    QTest::addColumn<int>("maxRetries");
    QTest::addColumn<QString>("expectedState");
    QTest::addColumn<int>("expectedRetryCount");
    QTest::newRow("0 of 3") << 0 << 3 << "ready_to_call" << 1;
    QTest::newRow("2 of 3") << 2 << 3 << "ready_to_call" << 3;
    QTest::newRow("3 of 3") << 3 << 3 << "failed" << 3;
    QTest::newRow("5 of 3") << 5 << 3 << "failed" << 5;
    QTest::newRow("0 of 0") << 0 << 0 << "failed" << 0;
}

void TestSchedulerEngine::retryPendingFollowsTheGuide()
{
    QFETCH(int, retryCount);
    QFETCH(int, maxRetries);
    QFETCH(QString, expectedState);
    QFETCH(int, expectedRetryCount);
    const QString id
            = insert("retry_pending", kNumberA, "retry_count, max_retries, classification_id",
                     QStringLiteral("%1, %2, '%3'").arg(retryCount).arg(maxRetries).arg(addClassification()));
    runPass();
    QCOMPARE(stateOf(id), expectedState);
    QSqlDatabase db = m_db->connection();
    QCOMPARE(scalar(db, QStringLiteral("SELECT retry_count FROM pending_calls WHERE id = '%1'").arg(id))
                     .toInt(),
             expectedRetryCount);
    if (expectedState == "failed") {
        QVERIFY(scalar(db,
                       QStringLiteral("SELECT last_error = 'Max retries exceeded' AND failure_reason = "
                                      "'Max retries exceeded' AND failed_at IS NOT NULL FROM pending_calls "
                                      "WHERE id = '%1'")
                               .arg(id))
                        .toBool());
    }
    QVERIFY(m_server->received().isEmpty());
}

void TestSchedulerEngine::failedRequests_data()
{
    QTest::addColumn<int>("httpStatus");
    QTest::addColumn<QString>("initialState");
    QTest::addColumn<int>("retryCount");
    QTest::addColumn<QString>("expectedState");
    QTest::newRow("500 on a task call: back, with backoff") << 500 << "ready_to_call" << 0 << "ready_to_call";
    QTest::newRow("503 on a classification call")
            << 503 << "needs_classification" << 0 << "needs_classification";
    QTest::newRow("422 on a task call: permanent") << 422 << "ready_to_call" << 0 << "failed";
    QTest::newRow("400 on a classification call")
            << 400 << "needs_classification" << 0 << "classification_failed";
    QTest::newRow("500 with attempts exhausted") << 500 << "ready_to_call" << 3 << "failed";
    QTest::newRow("409 already in progress: accepted") << 409 << "ready_to_call" << 0 << "calling";
}

void TestSchedulerEngine::failedRequests()
{
    QFETCH(int, httpStatus);
    QFETCH(QString, initialState);
    QFETCH(int, retryCount);
    QFETCH(QString, expectedState);
    const QString id = insert(initialState, kNumberA, "retry_count", QString::number(retryCount));
    m_server->setStatusFor(id, httpStatus);
    const PassSummary summary = runPass();
    QCOMPARE(m_server->received().size(), 1);
    QCOMPARE(stateOf(id), expectedState);
    QSqlDatabase db = m_db->connection();
    if (httpStatus == 409) {
        QCOMPARE(summary.results.first().status, QStringLiteral("task_call_triggered"));
        return;
    }
    QCOMPARE(summary.results.first().status, QStringLiteral("error"));
    QVERIFY2(scalar(db,
                    QStringLiteral("SELECT last_error LIKE '%%1%' FROM pending_calls WHERE id = '%2'")
                            .arg(httpStatus)
                            .arg(id))
                     .toBool(),
             "last_error names the HTTP status");
    if (expectedState == initialState) {
        // Transient: due again later, and it counted as an attempt.
        QVERIFY(scalar(db,
                       QStringLiteral("SELECT next_action_at > now() FROM pending_calls WHERE id = '%1'")
                               .arg(id))
                        .toBool());
        if (initialState == "ready_to_call")
            QCOMPARE(scalar(db,
                            QStringLiteral("SELECT retry_count FROM pending_calls WHERE id = '%1'").arg(id))
                             .toInt(),
                     retryCount + 1);
    } else {
        QVERIFY(scalar(db,
                       QStringLiteral("SELECT failed_at IS NOT NULL AND failure_reason IS NOT NULL "
                                      "FROM pending_calls WHERE id = '%1'")
                               .arg(id))
                        .toBool());
    }
}

void TestSchedulerEngine::inFlightTimeoutRescuesWithANewAttempt()
{
    const QString id
            = insert("calling", kNumberA, "attempt, phone_e164, state_changed_at, classification_id",
                     "2, '+12127365000', now() - interval '11 minutes', '" + addClassification() + "'");
    const QString recent
            = insert("classifying", kNumberB, "attempt, state_changed_at", "1, now() - interval '2 minutes'");
    const QString classifying = insert("classifying", kNumberC, "attempt, state_changed_at",
                                       "1, now() - interval '15 minutes'");
    PassSummary summary = runPass();
    QCOMPARE(summary.rescued, 2);
    QCOMPARE(scalar(m_db->connection(),
                    QStringLiteral("SELECT count(*) FROM workflow_events WHERE pending_call_id = "
                                   "'%1' AND from_state = 'classifying' AND to_state = 'retry_pending'")
                            .arg(classifying))
                     .toInt(),
             1);
    QCOMPARE(stateOf(recent), QStringLiteral("classifying"));
    // Rescued to retry_pending ("in-flight timeout"), and in the same pass retried.
    QSqlDatabase db = m_db->connection();
    QCOMPARE(scalar(db,
                    QStringLiteral("SELECT count(*) FROM workflow_events WHERE pending_call_id = '%1' AND "
                                   "to_state = 'retry_pending' AND reason = 'in-flight timeout'")
                            .arg(id))
                     .toInt(),
             1);
    if (stateOf(id) == "ready_to_call")
        summary = runPass();
    QCOMPARE(stateOf(id), QStringLiteral("calling"));
    const auto calls = m_server->receivedFor(id);
    QCOMPARE(calls.size(), 1);
    QCOMPARE(calls.first().attempt, 3);
    QCOMPARE(calls.first().idempotencyKey, id + ":task:3");
}

void TestSchedulerEngine::unknownStateIsSkippedWithAMessage()
{
    QString output;
    QCOMPARE(m_db->psql("ALTER TABLE pending_calls DROP CONSTRAINT valid_workflow_state", &output), 0);
    const QString odd = insert("on_hold", kNumberA, "next_action_at", "now() - interval '1 hour'");
    const QString good = insert("new", kNumberB);
    QStringList errors;
    runPass(QStringLiteral("mon-sun 00:00-24:00"), &errors);
    QCOMPARE(stateOf(odd), QStringLiteral("on_hold"));
    QCOMPARE(stateOf(good), QStringLiteral("needs_classification"));
    QVERIFY2(errors.join('\n').contains(odd) && errors.join('\n').contains("on_hold"),
             qPrintable(errors.join('\n')));
    // Said on the row too, where a dispatcher looking at the call sees it.
    QVERIFY(scalar(m_db->connection(),
                   QStringLiteral("SELECT last_error LIKE '%on_hold%' FROM pending_calls WHERE id = '%1'")
                           .arg(odd))
                    .toBool());
}

void TestSchedulerEngine::misspelledClinicZoneIsSaidOnTheRow()
{
    // "America/Chicgo" is no zone: the call goes by an assumed zone's hours, and the row says so.
    const QString id = insert("ready_to_call", kNumberC, "clinic_timezone", "'America/Chicgo'");
    const PassSummary summary = runPass();
    QCOMPARE(stateOf(id), QStringLiteral("calling"));
    const QString lastError
            = scalar(m_db->connection(),
                     QStringLiteral("SELECT last_error FROM pending_calls WHERE id = '%1'").arg(id))
                      .toString();
    QVERIFY2(lastError.contains("America/Chicgo") && lastError.contains("America/New_York"),
             qPrintable(lastError));
    QCOMPARE(summary.results.size(), 1);
}

void TestSchedulerEngine::absurdRowsAreReportedNotFatal()
{
    const QString noDue = insert("ready_to_call", kNumberA, "next_action_at", "NULL");
    const QString negative = insert("retry_pending", kNumberB, "retry_count", "-5");
    const QString fine = insert("new", kNumberC);
    QStringList errors;
    runPass(QStringLiteral("mon-sun 00:00-24:00"), &errors);
    QVERIFY2(errors.join('\n').contains(noDue), qPrintable(errors.join('\n')));
    QCOMPARE(stateOf(negative), QStringLiteral("retry_pending"));
    QVERIFY(scalar(m_db->connection(),
                   QStringLiteral("SELECT last_error LIKE 'Skipped%' AND next_action_at > now() "
                                  "FROM pending_calls WHERE id = '%1'")
                           .arg(negative))
                    .toBool());
    QCOMPARE(stateOf(fine), QStringLiteral("needs_classification"));
}

void TestSchedulerEngine::onceFromTheCommandLine()
{
    const QString id = insert("ready_to_call", kNumberA);
    const QString other = insert("new", kNumberB);
    const OncePassRun run = runOncePass(QStringLiteral(CALLOPS_BINARY), m_db->url(), m_server->baseUrl(),
                                        QStringLiteral("sb_secret_onceTestKey123"));
    const QByteArray &out = run.out;
    const QByteArray &err = run.err;
    QVERIFY2(run.exitCode == 0, err.constData());
    const QJsonObject body = QJsonDocument::fromJson(out).object();
    QVERIFY2(!body.isEmpty(), out.constData());
    QCOMPARE(body.value("processed").toInt(), 2);
    QHash<QString, QString> statuses;
    for (const QJsonValue &row : body.value("results").toArray())
        statuses.insert(row.toObject().value("id").toString(), row.toObject().value("status").toString());
    QCOMPARE(statuses.value(id), QStringLiteral("task_call_triggered"));
    QCOMPARE(statuses.value(other), QStringLiteral("needs_classification"));
    QCOMPARE(m_server->received().size(), 1);
    QCOMPARE(m_server->received().first().apiKey, QByteArray("sb_secret_onceTestKey123"));
    QVERIFY(!err.contains("sb_secret_onceTestKey123"));
    QVERIFY(!err.contains("Some Body"));
}

namespace {

SchedulerConfig continuousConfig(const TestDatabase &db, const ContractServer &server)
{
    SchedulerConfig config;
    config.database = db.settings();
    config.supabaseUrl = server.baseUrl();
    config.serviceKey = QStringLiteral("test-service-key");
    config.callsPerSecond = 0;
    config.callingHours = QStringLiteral("mon-sun 00:00-24:00");
    config.intervalSeconds = 600; // only a notification can wake it in time
    return config;
}

} // namespace

void TestSchedulerEngine::newWorkWakesTheSchedulerAtOnce()
{
    SchedulerThread scheduler(continuousConfig(*m_db, *m_server));
    QSignalSpy passes(scheduler.engine(), &SchedulerEngine::passFinished);
    scheduler.start();
    QVERIFY(arrives(passes, 20000)); // the first pass finds nothing
    QString output;
    QCOMPARE(m_db->psql("INSERT INTO pending_calls (exam_id, phone, workflow_state) "
                        "VALUES ('EX', '+1 212-736-5000', 'ready_to_call')",
                        &output),
             0);
    // The interval is ten minutes: only LISTEN/NOTIFY gets the call out this soon.
    QTRY_COMPARE_WITH_TIMEOUT(m_server->received().size(), 1, 10000);
    QVERIFY(scheduler.stopAndWait(10000));
}

void TestSchedulerEngine::callsPerSecondIsSharedBySchedulers()
{
    SchedulerConfig config = continuousConfig(*m_db, *m_server);
    config.callsPerSecond = 4;
    config.batchSize = 3;
    SchedulerThread first(config);
    SchedulerThread second(config);
    QSignalSpy firstPasses(first.engine(), &SchedulerEngine::passFinished);
    QSignalSpy secondPasses(second.engine(), &SchedulerEngine::passFinished);
    first.start();
    second.start();
    QTRY_VERIFY_WITH_TIMEOUT(!firstPasses.isEmpty() && !secondPasses.isEmpty(), 20000);
    // Six calls become due at once; each scheduler claims at most a batch of three.
    QString output;
    QCOMPARE(m_db->psql("INSERT INTO pending_calls (exam_id, phone, workflow_state) SELECT 'EX', "
                        "'+1 212-736-50' || (10 + g), 'ready_to_call' FROM generate_series(0, 5) g",
                        &output),
             0);
    QTRY_COMPARE_WITH_TIMEOUT(m_server->received().size(), 6, 20000);
    QVERIFY(first.stopAndWait(10000));
    QVERIFY(second.stopAndWait(10000));
    QList<QDateTime> times;
    for (const auto &received : m_server->received())
        times << received.at;
    std::sort(times.begin(), times.end());
    // 4 calls per second between both schedulers: starts at least ~250 ms apart (a slow machine
    // only spreads them further).
    for (int i = 1; i < times.size(); ++i)
        QVERIFY2(times[i - 1].msecsTo(times[i]) >= 200,
                 qPrintable(QStringLiteral("calls %1 and %2 were %3 ms apart")
                                    .arg(i - 1)
                                    .arg(i)
                                    .arg(times[i - 1].msecsTo(times[i]))));
    const QSet<QString> actors = [&] {
        QSet<QString> set;
        QSqlQuery query(m_db->connection());
        query.exec("SELECT DISTINCT actor FROM workflow_events WHERE to_state = 'calling'");
        while (query.next())
            set.insert(query.value(0).toString());
        return set;
    }();
    QCOMPARE(actors.size(), 2);
}

void TestSchedulerEngine::stopGivesBackClaims()
{
    for (int i = 0; i < 4; ++i)
        insert("ready_to_call", QStringLiteral("+1 212-736-50%1").arg(20 + i));
    SchedulerConfig config = continuousConfig(*m_db, *m_server);
    config.callsPerSecond = 0.1; // one call, then a long wait: the rest stay claimed in the queue
    SchedulerThread scheduler(config);
    scheduler.start();
    QTRY_COMPARE_WITH_TIMEOUT(m_server->received().size(), 1, 20000);
    QSqlDatabase db = m_db->connection();
    QTRY_COMPARE_WITH_TIMEOUT(
            scalar(db, "SELECT count(*) FROM pending_calls WHERE locked_by IS NOT NULL").toInt(), 3, 5000);
    QVERIFY(scheduler.stopAndWait(10000));
    QCOMPARE(scalar(db, "SELECT count(*) FROM pending_calls WHERE locked_by IS NOT NULL").toInt(), 0);
    QCOMPARE(scalar(db,
                    "SELECT count(*) FROM pending_calls WHERE workflow_state = 'ready_to_call' "
                    "AND next_action_at <= now()")
                     .toInt(),
             3);
    QCOMPARE(m_server->received().size(), 1);
}

void TestSchedulerEngine::lostConnectionIsReconnected()
{
    // The statements prepared on the dead session are dropped quietly: no warning per statement
    // from QPSQL trying to DEALLOCATE them there, no "connection still in use".
    QTest::failOnWarning(QRegularExpression(QStringLiteral("Unable to free statement|still in use")));
    SchedulerConfig config = continuousConfig(*m_db, *m_server);
    config.intervalSeconds = 1;
    SchedulerThread scheduler(config);
    QSignalSpy passes(scheduler.engine(), &SchedulerEngine::passFinished);
    QSignalSpy connection(scheduler.engine(), &SchedulerEngine::connectionChanged);
    scheduler.start();
    QVERIFY(arrives(passes, 20000));
    // The journal, which said the connection was lost, says when it is back.
    QTest::ignoreMessage(QtInfoMsg, QRegularExpression("^database connection restored: "));
    // The server drops the scheduler's session, as a restart or a network cut would.
    QString output;
    QCOMPARE(m_db->psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND application_name = 'callops-scheduler'",
                        &output),
             0);
    QCOMPARE(m_db->psql("INSERT INTO pending_calls (exam_id, phone, workflow_state) "
                        "VALUES ('EX', '+1 212-736-5000', 'ready_to_call')",
                        &output),
             0);
    QTRY_COMPARE_WITH_TIMEOUT(m_server->received().size(), 1, 30000);
    bool lost = false;
    bool regained = false;
    for (const auto &args : std::as_const(connection)) {
        if (!args.at(0).toBool())
            lost = true;
        else if (lost)
            regained = true;
    }
    QVERIFY(lost);
    QVERIFY(regained);
    QVERIFY(scheduler.stopAndWait(10000));
}

void TestSchedulerEngine::closedSessionIsNoticedWhileWaitingForWork()
{
    // The server's FATAL line comes through our log instead of libpq's raw stderr. (QPSQL's socket
    // notifier on the closed socket still warns once: Qt's own, out of our reach.)
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression("^FATAL: terminating connection due to administrator command"));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression("^database connection lost: "));
    QTest::ignoreMessage(QtInfoMsg, QRegularExpression("^database connection restored: "));
    SchedulerThread scheduler(continuousConfig(*m_db, *m_server)); // a ten-minute interval
    QSignalSpy passes(scheduler.engine(), &SchedulerEngine::passFinished);
    QSignalSpy connection(scheduler.engine(), &SchedulerEngine::connectionChanged);
    scheduler.start();
    QVERIFY(arrives(passes, 20000)); // the first pass finds nothing; the engine waits on LISTEN
    QCOMPARE(connection.size(), 1);
    QString output;
    QCOMPARE(m_db->psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND application_name = 'callops-scheduler'",
                        &output),
             0);
    // Lost and back without a statement of its own (the next would come in ten minutes) ...
    QTRY_COMPARE_WITH_TIMEOUT(connection.size(), 3, 20000);
    QCOMPARE(connection.at(1).at(0).toBool(), false);
    QCOMPARE(connection.at(2).at(0).toBool(), true);
    // ... and listening again: new work is called at once.
    QCOMPARE(m_db->psql("INSERT INTO pending_calls (exam_id, phone, workflow_state) "
                        "VALUES ('EX', '+1 212-736-5000', 'ready_to_call')",
                        &output),
             0);
    QTRY_COMPARE_WITH_TIMEOUT(m_server->received().size(), 1, 20000);
    QVERIFY(scheduler.stopAndWait(10000));
}

void TestSchedulerEngine::queuedCallsGoOutAfterTheConnectionComesBack()
{
    // A full queue (a batch of 2, one call every 2 s) when the session dies: the pass after the
    // reconnect claims nothing more, so the calls already queued must still go out.
    for (int i = 0; i < 3; ++i)
        insert("ready_to_call", QStringLiteral("+1 212-736-50%1").arg(30 + i));
    SchedulerConfig config = continuousConfig(*m_db, *m_server);
    config.batchSize = 2;
    config.callsPerSecond = 0.5;
    config.intervalSeconds = 1;
    SchedulerThread scheduler(config);
    scheduler.start();
    QTRY_COMPARE_WITH_TIMEOUT(m_server->received().size(), 1, 20000);
    QSqlDatabase db = m_db->connection();
    QTRY_COMPARE_WITH_TIMEOUT(
            scalar(db, "SELECT count(*) FROM pending_calls WHERE locked_by IS NOT NULL").toInt(), 2, 10000);
    QString output;
    QCOMPARE(m_db->psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND application_name = 'callops-scheduler'",
                        &output),
             0);
    QTRY_COMPARE_WITH_TIMEOUT(m_server->received().size(), 3, 30000);
    QCOMPARE(scalar(db, "SELECT count(*) FROM pending_calls WHERE workflow_state = 'calling'").toInt(), 3);
    QVERIFY(scheduler.stopAndWait(10000));
}

void TestSchedulerEngine::waitingCallsDoNotSpinThePasses()
{
    // Due rows this scheduler holds in its queue (one call every 5 s) are not new work: the
    // scheduler must not wake to claim nothing while they wait their turn.
    for (int i = 0; i < 3; ++i)
        insert("ready_to_call", QStringLiteral("+1 212-736-50%1").arg(40 + i));
    SchedulerConfig config = continuousConfig(*m_db, *m_server);
    config.callsPerSecond = 0.2;
    SchedulerThread scheduler(config);
    QSignalSpy passes(scheduler.engine(), &SchedulerEngine::passStarted);
    scheduler.start();
    QTRY_COMPARE_WITH_TIMEOUT(m_server->received().size(), 1, 20000);
    passes.clear();
    QTest::qWait(3000);
    QCOMPARE(m_server->received().size(), 1);
    QVERIFY2(passes.size() <= 2,
             qPrintable(QStringLiteral("%1 passes while two calls waited 3 s for their "
                                       "turn")
                                .arg(passes.size())));
    QVERIFY(scheduler.stopAndWait(10000));
}

void TestSchedulerEngine::lateClassificationFailureLeavesTheTaskCallAlone()
{
    // A person answered the classification call, so it goes on as the task call in the same
    // attempt; the classification request's answer then fails late (lost, timed out). That
    // failure is about a call that already moved on: it must not put the row back to be dialled
    // again while the person may be on the line.
    const QString id = insert("classifying", kNumberA, "attempt, classification_attempts, phone_e164",
                              "1, 1, '+12127365000'");
    QSqlDatabase db = m_db->connection();
    QCOMPARE(scalar(db,
                    QStringLiteral("SELECT to_state FROM callops_record_classification('%1', 1, 'human')")
                            .arg(id))
                     .toString(),
             QStringLiteral("calling"));
    QCOMPARE(scalar(db,
                    QStringLiteral("SELECT moved FROM callops_record_post_failure('%1', 1, "
                                   "'classification', true, 'no answer within 15000 ms', 30)")
                            .arg(id))
                     .toBool(),
             false);
    QCOMPARE(stateOf(id), QStringLiteral("calling"));
    QCOMPARE(scalar(db, QStringLiteral("SELECT retry_count FROM pending_calls WHERE id = '%1'").arg(id))
                     .toInt(),
             0);
    // The task's own request failing still moves it.
    QCOMPARE(scalar(db,
                    QStringLiteral("SELECT to_state FROM callops_record_post_failure('%1', 1, 'task', "
                                   "true, 'HTTP 503', 30)")
                            .arg(id))
                     .toString(),
             QStringLiteral("ready_to_call"));
    QSqlQuery bad(db);
    QVERIFY(!bad.exec(
            QStringLiteral("SELECT * FROM callops_record_post_failure('%1', 1, 'fax', true, 'x', 30)")
                    .arg(id)));
    QVERIFY2(bad.lastError().text().contains("unknown call kind"), qPrintable(bad.lastError().text()));
}

void TestSchedulerEngine::callCutShortWhileClassifyingIsClassifiedAgain()
{
    // In flight too long while classifying: rescued to retry_pending, as the design's table says,
    // and from there classified again, not called for a task it has no classification for.
    const QString id = insert("classifying", kNumberA, "attempt, classification_attempts, state_changed_at",
                              "1, 1, now() - interval '15 minutes'");
    const QString spent
            = insert("classifying", kNumberB, "attempt, classification_attempts, state_changed_at",
                     "3, 3, now() - interval '15 minutes'");
    runPass();
    if (stateOf(id) != "classifying")
        runPass();
    QCOMPARE(stateOf(id), QStringLiteral("classifying"));
    const auto calls = m_server->receivedFor(id);
    QCOMPARE(calls.size(), 1);
    QCOMPARE(calls.first().kind, QStringLiteral("classification"));
    QCOMPARE(calls.first().attempt, 2);
    QSqlDatabase db = m_db->connection();
    QCOMPARE(scalar(db, QStringLiteral("SELECT retry_count FROM pending_calls WHERE id = '%1'").arg(id))
                     .toInt(),
             0);
    // The one whose classification attempts are spent fails as a classification, with its reason.
    QCOMPARE(stateOf(spent), QStringLiteral("classification_failed"));
    QVERIFY(m_server->receivedFor(spent).isEmpty());
    QVERIFY(scalar(db,
                   QStringLiteral("SELECT failed_at IS NOT NULL AND failure_reason LIKE 'Classification "
                                  "attempts exhausted%' FROM pending_calls WHERE id = '%1'")
                           .arg(spent))
                    .toBool());
}

void TestSchedulerEngine::refusedRequestsStopCallsWithoutSpendingAttempts()
{
    // A wrong key (401) or URL (404) is refused for every call alike: the scheduler must stop
    // calling and say what to check, not fail call after call; the calls keep their attempts.
    const QString task = insert("ready_to_call", kNumberA);
    const QString classify = insert("needs_classification", kNumberB);
    const QString other = insert("ready_to_call", kNumberC);
    m_server->setDefaultStatus(401);
    SchedulerConfig config = continuousConfig(*m_db, *m_server);
    config.refusedPauseSeconds = 2;
    SchedulerThread scheduler(config);
    QSignalSpy errors(scheduler.engine(), &SchedulerEngine::errorOccurred);
    scheduler.start();
    QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), 20000);
    QVERIFY2(errors.first().at(0).toString().contains("SUPABASE_SERVICE_ROLE_KEY"),
             qPrintable(errors.first().at(0).toString()));
    // Settled: no call in flight, and every call the endpoint was sent is back where it was with
    // the refusal on it. (Comparing with the requests received is not enough: a request QNAM has
    // not sent yet is not received, and its call is in flight with its attempt taken.) The trial
    // call after the pause, refused again, settles the same way.
    QSqlDatabase db = m_db->connection();
    const auto postedCalls = [this] {
        QSet<QString> ids;
        for (const auto &request : m_server->received())
            ids.insert(request.pendingCallId);
        return int(ids.size());
    };
    QTRY_VERIFY_WITH_TIMEOUT(
            scalar(db,
                   "SELECT count(*) FROM pending_calls WHERE workflow_state IN ('calling', 'classifying')")
                                    .toInt()
                            == 0
                    && scalar(db,
                              "SELECT count(*) FROM pending_calls WHERE workflow_state IN "
                              "('ready_to_call', 'needs_classification') AND last_error LIKE '%401%'")
                                    .toInt()
                            == postedCalls(),
            5000);
    QCOMPARE(scalar(db,
                    "SELECT count(*) FROM pending_calls WHERE workflow_state IN ('failed', "
                    "'classification_failed')")
                     .toInt(),
             0);
    QCOMPARE(scalar(db, "SELECT sum(retry_count) + sum(classification_attempts) FROM pending_calls").toInt(),
             0);
    // Nothing more while refused, then one call to try again; the endpoint now accepts. The pause
    // is read from when the requests came (the first refusal was answered after the first request
    // came), not from when this test looks, which a loaded machine delays; 10 % off for the
    // coarse timer.
    m_server->setDefaultStatus(202);
    QTRY_COMPARE_WITH_TIMEOUT(scalar(db,
                                     "SELECT count(*) FROM pending_calls WHERE workflow_state IN "
                                     "('calling', 'classifying')")
                                      .toInt(),
                              3, 20000);
    const QDateTime firstRequest = m_server->received().first().at;
    for (const QString &id : {task, classify, other}) {
        const auto requests = m_server->receivedFor(id);
        for (qsizetype index = 1; index < requests.size(); ++index)
            QVERIFY2(firstRequest.msecsTo(requests.at(index).at) >= 1800,
                     qPrintable(QStringLiteral("call %1 was posted again %2 ms after the first request")
                                        .arg(id)
                                        .arg(firstRequest.msecsTo(requests.at(index).at))));
    }
    QCOMPARE(stateOf(classify), QStringLiteral("classifying"));
    QCOMPARE(scalar(db, "SELECT sum(retry_count) FROM pending_calls").toInt(), 0);
    QCOMPARE(m_server->receivedFor(task).last().kind, QStringLiteral("task"));
    QVERIFY(m_server->receivedFor(other).size() >= 1);
    QVERIFY(scheduler.stopAndWait(10000));
}

void TestSchedulerEngine::answerThatComesWhileTheDatabaseIsAwayIsKept()
{
    // The endpoint refuses the call for good (422) two seconds after it was sent; the session
    // dies meanwhile. The answer must still reach the row once the database is back, not be left
    // to the in-flight timeout, which would retry it and lose the HTTP error.
    const QString id = insert("ready_to_call", kNumberA);
    m_server->setStatusFor(id, 422);
    m_server->setAnswerDelayMs(2000);
    SchedulerThread scheduler(continuousConfig(*m_db, *m_server));
    scheduler.start();
    QTRY_COMPARE_WITH_TIMEOUT(m_server->received().size(), 1, 20000);
    QString output;
    QCOMPARE(m_db->psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND application_name = 'callops-scheduler'",
                        &output),
             0);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(id), QStringLiteral("failed"), 20000);
    QVERIFY(scalar(m_db->connection(),
                   QStringLiteral("SELECT last_error LIKE '%422%' FROM pending_calls WHERE id = '%1'")
                           .arg(id))
                    .toBool());
    QCOMPARE(m_server->received().size(), 1);
    QVERIFY(scheduler.stopAndWait(10000));
}

void TestSchedulerEngine::refusedLoginIsNotTriedAgainAndAgain()
{
    // A refused login was tried again after 1, 2, 4 ... 30 s, as an outage is: 120 failed logins
    // an hour, which gets the machine's address banned by Supabase's fail2ban.
    const QString user = QStringLiteral("callops_refused_%1").arg(QRandomGenerator::global()->generate());
    SchedulerConfig config = continuousConfig(*m_db, *m_server);
    auto wrong = ConnectionSettings::parse(
            config.database.libpqKeywordString()
            + QStringLiteral(" user=%1 password='not-the-Password-42'").arg(user));
    QVERIFY(wrong.ok());
    config.database = *wrong;
    SchedulerThread scheduler(config);
    QSignalSpy errors(scheduler.engine(), &SchedulerEngine::errorOccurred);
    scheduler.start();
    QTRY_VERIFY_WITH_TIMEOUT(m_db->cluster().failedLogins(user) >= 1, 20000);
    // An outage would have been tried again twice by now (after 1 s and 2 s more).
    QTest::qWait(4000);
    QCOMPARE(m_db->cluster().failedLogins(user), 1);
    QVERIFY(std::any_of(errors.cbegin(), errors.cend(), [](const QList<QVariant> &args) {
        return args.at(0).toString().contains("refused the login");
    }));
    QVERIFY(scheduler.stopAndWait(10000));
}

void TestSchedulerEngine::stopIsHeardWhileATableLockIsHeld()
{
    // A table lock held elsewhere (a migration, an ALTER, psql) kept the engine's thread waiting in
    // its statement for as long as it was held: a stop (SIGTERM) was not heard, and systemd killed
    // the scheduler with its claims held.
    QSqlDatabase holder = m_db->connection(QStringLiteral("holder"));
    QVERIFY(holder.transaction());
    QSqlQuery lock(holder);
    QVERIFY2(lock.exec("LOCK TABLE pending_calls IN ACCESS EXCLUSIVE MODE"),
             qPrintable(lock.lastError().text()));
    SchedulerThread scheduler(continuousConfig(*m_db, *m_server));
    QSignalSpy errors(scheduler.engine(), &SchedulerEngine::errorOccurred);
    scheduler.start();
    QVERIFY(LockRace::waitForLockWait(m_db->connection()));
    scheduler.requestStop();
    QVERIFY(scheduler.stopAndWait(30000)); // the lock is still held
    // And the log says why the pass did not get through.
    QVERIFY(std::any_of(errors.cbegin(), errors.cend(), [](const QList<QVariant> &args) {
        return args.at(0).toString().contains("lock timeout");
    }));
    QVERIFY(holder.rollback());
}

void TestSchedulerEngine::stopIsHeardWhileTheServerDoesNotAnswer()
{
    // The engine's own server process stopped in its tracks (StoppedBackend): no lock timeout ends
    // a statement the server never looks at. The stop request was never taken, the headless program
    // never exited, and the console aborted ("QThread: Destroyed while thread is still running")
    // when it gave up waiting.
    SchedulerThread scheduler(continuousConfig(*m_db, *m_server));
    QSignalSpy passes(scheduler.engine(), &SchedulerEngine::passFinished);
    scheduler.start();
    QVERIFY(arrives(passes, 20000)); // connected, its first pass done

    StoppedBackend backend(*m_db, QStringLiteral("callops-scheduler"));
    QVERIFY2(backend.isStopped(), qPrintable(backend.error()));
    QSignalSpy started(scheduler.engine(), &SchedulerEngine::passStarted);
    QMetaObject::invokeMethod(scheduler.engine(), &SchedulerEngine::runPassNow, Qt::QueuedConnection);
    QVERIFY(arrives(started, 10000)); // and now waiting on the server

    QTest::ignoreMessage(QtWarningMsg,
                         "the database has not answered the scheduler for 15000 ms; its "
                         "session is cut so that it can stop");
    QVERIFY(scheduler.stopAndWait(30000));
    QVERIFY(scheduler.isStopped());
    // The session was ended, not left behind: once the server process runs again it sees its
    // client gone and exits.
    QVERIFY(backend.endsOnceResumed());
}

// Started from the console's panel on a database not migrated this far, every pass failed with
// "relation pending_calls does not exist", pass after pass.
void TestSchedulerEngine::databaseNotMigratedIsSaidOnceAndWaitedFor()
{
    TestDatabase bare(QStringLiteral("bare"));
    QVERIFY2(bare.isValid(), qPrintable(bare.error()));
    SchedulerConfig config = continuousConfig(bare, *m_server);
    config.intervalSeconds = 1;
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression("has no CallOps tables yet: run callops --migrate"));
    SchedulerThread scheduler(config);
    QSignalSpy errors(scheduler.engine(), &SchedulerEngine::errorOccurred);
    QSignalSpy passes(scheduler.engine(), &SchedulerEngine::passFinished);
    scheduler.start();
    QVERIFY(arrives(errors, 20000));
    QVERIFY2(errors.first().at(0).toString().contains("has no CallOps tables yet: run callops --migrate"),
             qPrintable(errors.first().at(0).toString()));
    // Looked at again (after 1 s, 2 s, ...), said once.
    QTest::qWait(3500);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(passes.size(), 0);

    QVERIFY2(bare.migrate(), qPrintable(bare.error()));
    QVERIFY(arrives(passes, 20000));
    QVERIFY2(passes.first().at(0).value<PassSummary>().error.isEmpty(),
             qPrintable(passes.first().at(0).value<PassSummary>().error));
    QCOMPARE(errors.size(), 1);
    QVERIFY(scheduler.stopAndWait(10000));
}

// A scheduler says where it runs while it runs (callops_scheduler_presence), so that a dispatcher's
// console can show a headless one; it takes its row away when it stops, and forgets rows of engines
// gone for a day.
void TestSchedulerEngine::presenceIsReportedForTheConsoles()
{
    QSqlDatabase db = m_db->connection();
    QString output;
    QCOMPARE(m_db->psql(
                     "INSERT INTO callops_scheduler_presence (scheduler_id, host, pid, started_at, seen_at) "
                     "VALUES ('dead-for-days', 'old-box', 1, now() - interval '3 days', "
                     "now() - interval '2 days'), "
                     "('gone-a-while', 'srv-2', 2, now() - interval '1 hour', now() - interval '5 minutes')",
                     &output),
             0);
    SchedulerConfig config = continuousConfig(*m_db, *m_server);
    config.schedulerId = QStringLiteral("presence-test");
    config.presenceSeconds = 1;
    SchedulerThread scheduler(config);
    QSignalSpy passes(scheduler.engine(), &SchedulerEngine::passFinished);
    scheduler.start();
    QVERIFY(arrives(passes, 20000));
    const QString row = QStringLiteral(
            "SELECT %1 FROM callops_scheduler_presence WHERE scheduler_id = 'presence-test'");
    QTRY_VERIFY_WITH_TIMEOUT(!scalar(db, row.arg("last_pass_at")).isNull(), 5000);
    QCOMPARE(scalar(db, row.arg("host")).toString(), QSysInfo::machineHostName());
    QCOMPARE(scalar(db, row.arg("pid")).toLongLong(), QCoreApplication::applicationPid());
    QVERIFY(scalar(db, row.arg("started_by")).isNull()); // not started in a console: a service
    QCOMPARE(scalar(db, row.arg("paused")).toBool(), false);
    QCOMPARE(scalar(db,
                    "SELECT string_agg(scheduler_id, ',' ORDER BY scheduler_id) FROM "
                    "callops_scheduler_presence")
                     .toString(),
             QStringLiteral("gone-a-while,presence-test"));

    // Reported again and again while it runs, paused or not.
    const QDateTime seen = scalar(db, row.arg("seen_at")).toDateTime();
    QTRY_VERIFY_WITH_TIMEOUT(scalar(db, row.arg("seen_at")).toDateTime() > seen, 5000);
    QMetaObject::invokeMethod(scheduler.engine(), &SchedulerEngine::pause, Qt::QueuedConnection);
    QTRY_COMPARE_WITH_TIMEOUT(scalar(db, row.arg("paused")).toBool(), true, 5000);

    // What a console reads: the schedulers heard from lately, not the one gone five minutes ago.
    ConsoleRepository console(db);
    const auto sightings = console.schedulers(90);
    QVERIFY2(sightings, qPrintable(sightings.error()));
    QCOMPARE(sightings->size(), 1);
    QCOMPARE(sightings->first().schedulerId, QStringLiteral("presence-test"));
    QVERIFY(sightings->first().paused);
    QVERIFY(sightings->first().seenSecondsAgo <= 2);
    QVERIFY(sightings->first().lastPassSecondsAgo >= 0);

    QMetaObject::invokeMethod(scheduler.engine(), &SchedulerEngine::resume, Qt::QueuedConnection);
    QTRY_COMPARE_WITH_TIMEOUT(scalar(db, row.arg("paused")).toBool(), false, 5000);
    QVERIFY(scheduler.stopAndWait(10000));
    QCOMPARE(scalar(db, "SELECT string_agg(scheduler_id, ',') FROM callops_scheduler_presence").toString(),
             QStringLiteral("gone-a-while"));
}

QTEST_GUILESS_MAIN(TestSchedulerEngine)
#include "TestSchedulerEngine.moc"
