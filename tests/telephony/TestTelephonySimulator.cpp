#include "TestDatabase.h"
#include "telephony/CallTrigger.h"
#include "telephony/SimulatorThread.h"
#include "telephony/TelephonySimulator.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <csignal>

using namespace callops;
using namespace callops::test;

namespace {

const QString JwtKey
        = QStringLiteral("eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2ltdWxhdG9yLWtleQ");
const QString SecretKey = QStringLiteral("sb_secret_Sim9ulat0rKeyForTests_x1");
const QString IdA = QStringLiteral("aaaaaaaa-0000-4000-8000-000000000001");
const QString IdB = QStringLiteral("bbbbbbbb-0000-4000-8000-000000000002");

TelephonySimulator::Config baseConfig()
{
    TelephonySimulator::Config config;
    config.expectedKey = JwtKey;
    config.outcomes.minDelayMs = 10;
    config.outcomes.maxDelayMs = 40;
    return config;
}

QUrl urlOf(quint16 port)
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
}

CallResult post(CallTrigger &trigger, const CallRequest &request)
{
    QSignalSpy finished(&trigger, &CallTrigger::finished);
    trigger.send(request);
    if (!finished.wait(30000) && finished.isEmpty())
        return {};
    return finished.first().first().value<CallResult>();
}

bool putRow(const QSqlDatabase &db, const QString &id, const QString &phone, const QString &state,
            int attempt)
{
    QSqlQuery query(db);
    query.prepare("INSERT INTO pending_calls (id, exam_id, phone, phone_e164, workflow_state, attempt, "
                  "classification_attempts, max_retries) VALUES (?, 'EX', ?, ?, ?, ?, 1, 3)");
    query.addBindValue(id);
    query.addBindValue(phone);
    query.addBindValue(phone);
    query.addBindValue(state);
    query.addBindValue(attempt);
    if (!query.exec()) {
        qWarning("insert failed: %s", qPrintable(query.lastError().text()));
        return false;
    }
    return true;
}

QString stateOf(const QSqlDatabase &db, const QString &id)
{
    return scalar(db, "SELECT workflow_state FROM pending_calls WHERE id = CAST(? AS uuid)", {id}).toString();
}

} // namespace

// The telephony simulator, driven by the real CallTrigger over loopback HTTP; outcomes written to
// a real PostgreSQL through OutcomeRecorder.
class TestTelephonySimulator : public QObject
{
    Q_OBJECT

private slots:
    void acceptsAndRecordsRequests();
    void duplicateKeyIsRefusedWithoutSecondOutcome();
    void keyIsChecked_data();
    void keyIsChecked();
    void badRequestsAreRefused_data();
    void badRequestsAreRefused();
    void faultsReachTheClient_data();
    void faultsReachTheClient();
    void seedMakesRunsReproducible();
    void invalidConfigIsRefused();
    void outcomesMoveRows_data();
    void outcomesMoveRows();
    void outcomeForOldAttemptDoesNotMove();
    void faultsWriteNoOutcome();
    void concurrentRequestsWithFaults();
    void standaloneProcess();
};

void TestTelephonySimulator::acceptsAndRecordsRequests()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    auto config = baseConfig();
    config.recordFile = dir.filePath("requests.jsonl");
    SimulatorThread simulator(config);
    const Status started = simulator.start();
    QVERIFY2(started.ok(), qPrintable(started.error()));
    QVERIFY(simulator.port() != 0);

    CallTrigger trigger({urlOf(simulator.port()), JwtKey, 15000});
    const CallResult first = post(trigger, {IdA, CallKind::Classification, 1});
    QCOMPARE(first.status, CallResult::Status::Accepted);
    QCOMPARE(first.httpStatus, 202);
    const CallResult second = post(trigger, {IdB, CallKind::Task, 4});
    QCOMPARE(second.status, CallResult::Status::Accepted);

    const auto requests = simulator.simulator()->requests();
    QCOMPARE(requests.size(), 2);
    QCOMPARE(requests[0].pendingCallId, IdA);
    QCOMPARE(requests[0].kind, QStringLiteral("classification"));
    QCOMPARE(requests[0].attempt, 1);
    QCOMPARE(requests[0].idempotencyKey, IdA + ":classification:1");
    QCOMPARE(requests[0].httpStatus, 202);
    QVERIFY(requests[0].fault.isEmpty());
    QVERIFY(requests[0].receivedAt.isValid());
    QCOMPARE(requests[1].idempotencyKey, IdB + ":task:4");
    // No database configured: nothing to write.
    QCOMPARE(simulator.simulator()->pendingOutcomes(), 0);

    QFile record(config.recordFile);
    QVERIFY(record.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = record.readAll().trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    const QJsonObject line = QJsonDocument::fromJson(lines[1]).object();
    QCOMPARE(line.value("pending_call_id").toString(), IdB);
    QCOMPARE(line.value("kind").toString(), QStringLiteral("task"));
    QCOMPARE(line.value("attempt").toInt(), 4);
    QCOMPARE(line.value("idempotency_key").toString(), IdB + ":task:4");
    QCOMPARE(line.value("status").toInt(), 202);
    QVERIFY(QDateTime::fromString(line.value("received_at").toString(), Qt::ISODateWithMs).isValid());
}

void TestTelephonySimulator::duplicateKeyIsRefusedWithoutSecondOutcome()
{
    TestDatabase db("sim_duplicate");
    QVERIFY2(db.isValid() && db.migrate(), qPrintable(db.error()));
    QVERIFY(putRow(db.connection(), IdA, "+12127365000", "calling", 1));

    auto config = baseConfig();
    config.database = db.settings();
    config.outcomes.taskSuccess = 0; // a failure sends the row to retry_pending; a second one would show
    SimulatorThread simulator(config);
    QVERIFY(simulator.start().ok());

    CallTrigger trigger({urlOf(simulator.port()), JwtKey, 15000});
    QCOMPARE(post(trigger, {IdA, CallKind::Task, 1}).status, CallResult::Status::Accepted);
    const CallResult again = post(trigger, {IdA, CallKind::Task, 1});
    QCOMPARE(again.status, CallResult::Status::AlreadyInProgress);
    QCOMPARE(again.httpStatus, 409);
    // Another attempt of the same call is a new key.
    QCOMPARE(post(trigger, {IdA, CallKind::Task, 2}).status, CallResult::Status::Accepted);

    QTRY_COMPARE_WITH_TIMEOUT(simulator.simulator()->pendingOutcomes(), 0, 30000);
    QCOMPARE(simulator.simulator()->outcomesWritten(), 2); // attempts 1 and 2, not the duplicate
    QCOMPARE(simulator.simulator()->outcomeErrors(), 0);
    const auto requests = simulator.simulator()->requests();
    QCOMPARE(requests.size(), 3);
    QCOMPARE(requests[1].fault, QStringLiteral("duplicate"));
    QCOMPARE(requests[1].httpStatus, 409);
    const QSqlDatabase c = db.connection();
    QCOMPARE(scalar(c,
                    "SELECT count(*) FROM workflow_events WHERE pending_call_id = CAST(? AS uuid) "
                    "AND from_state = 'calling' AND to_state = 'retry_pending'",
                    {IdA})
                     .toInt(),
             1);
    // The outcome for attempt 2 came for an attempt that is not current: kept, not moved.
    QCOMPARE(stateOf(c, IdA), QStringLiteral("retry_pending"));
}

void TestTelephonySimulator::keyIsChecked_data()
{
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("sent");
    QTest::addColumn<int>("httpStatus");
    QTest::newRow("jwt as bearer") << JwtKey << JwtKey << 202;
    QTest::newRow("sb_secret as apikey") << SecretKey << SecretKey << 202;
    QTest::newRow("wrong jwt") << JwtKey << QString(JwtKey).replace("c2lt", "eHh4") << 401;
    QTest::newRow("wrong secret") << SecretKey << (SecretKey + "x") << 401;
    QTest::newRow("no key expected") << QString() << QStringLiteral("anything") << 202;
}

void TestTelephonySimulator::keyIsChecked()
{
    QFETCH(QString, expected);
    QFETCH(QString, sent);
    QFETCH(int, httpStatus);
    auto config = baseConfig();
    config.expectedKey = expected;
    SimulatorThread simulator(config);
    QVERIFY(simulator.start().ok());
    CallTrigger trigger({urlOf(simulator.port()), sent, 15000});
    const CallResult result = post(trigger, {IdA, CallKind::Classification, 1});
    QCOMPARE(result.httpStatus, httpStatus);
    QCOMPARE(result.status, httpStatus == 202 ? CallResult::Status::Accepted : CallResult::Status::Refused);
    QVERIFY(!result.error.contains(sent));
    const auto requests = simulator.simulator()->requests();
    QCOMPARE(requests.size(), 1);
    QCOMPARE(requests[0].fault, httpStatus == 401 ? QStringLiteral("unauthorized") : QString());
}

void TestTelephonySimulator::badRequestsAreRefused_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("idempotencyKey");
    QTest::addColumn<QString>("problem");
    const QByteArray key = (IdA + ":task:1").toUtf8();
    const QByteArray good = R"({"pending_call_id":")" + IdA.toUtf8() + R"(","kind":"task","attempt":1})";
    QTest::newRow("not json") << QByteArray("pending_call_id=1") << key << "JSON object";
    QTest::newRow("array") << QByteArray("[1,2]") << key << "JSON object";
    QTest::newRow("no id") << QByteArray(R"({"kind":"task","attempt":1})") << key << "pending_call_id";
    QTest::newRow("id not a string") << QByteArray(R"({"pending_call_id":7,"kind":"task","attempt":1})")
                                     << key << "pending_call_id";
    QTest::newRow("bad kind") << QByteArray(good).replace("task", "sms") << key << "kind";
    QTest::newRow("no attempt") << QByteArray(good).replace(R"(,"attempt":1)", "") << key << "attempt";
    QTest::newRow("negative attempt") << QByteArray(good).replace(":1}", ":-1}") << key << "attempt";
    QTest::newRow("fractional attempt") << QByteArray(good).replace(":1}", ":1.5}") << key << "attempt";
    QTest::newRow("attempt as text") << QByteArray(good).replace(":1}", R"(:"1"})") << key << "attempt";
    QTest::newRow("no idempotency key") << good << QByteArray() << "Idempotency-Key";
    QTest::newRow("idempotency key of another attempt")
            << good << (IdA + ":task:2").toUtf8() << "Idempotency-Key";
}

void TestTelephonySimulator::badRequestsAreRefused()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, idempotencyKey);
    QFETCH(QString, problem);
    SimulatorThread simulator(baseConfig());
    QVERIFY(simulator.start().ok());

    QNetworkAccessManager network;
    QNetworkRequest request(
            CallTrigger::endpoint(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(simulator.port()))));
    request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
    request.setRawHeader("Authorization", "Bearer " + JwtKey.toUtf8());
    if (!idempotencyKey.isEmpty())
        request.setRawHeader("Idempotency-Key", idempotencyKey);
    QNetworkReply *reply = network.post(request, body);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(finished.wait(30000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 400);
    const QString error = QJsonDocument::fromJson(reply->readAll()).object().value("error").toString();
    QVERIFY2(error.contains(problem), qPrintable(error));
    reply->deleteLater();

    const auto requests = simulator.simulator()->requests();
    QCOMPARE(requests.size(), 1);
    QCOMPARE(requests[0].fault, QStringLiteral("bad_request"));
    QCOMPARE(requests[0].httpStatus, 400);
}

void TestTelephonySimulator::faultsReachTheClient_data()
{
    QTest::addColumn<QString>("fault");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("httpStatus");
    QTest::addColumn<int>("recordedStatus");
    QTest::addColumn<QString>("recordedFault");
    using S = CallResult::Status;
    QTest::newRow("never answers") << "timeout" << int(S::TransientFailure) << 0 << 0 << "timeout";
    QTest::newRow("answers 504 too late")
            << "late_timeout" << int(S::TransientFailure) << 0 << 504 << "timeout";
    QTest::newRow("500") << "server_error" << int(S::TransientFailure) << 500 << 500 << "server_error";
    QTest::newRow("422") << "client_error" << int(S::PermanentFailure) << 422 << 422 << "client_error";
    QTest::newRow("slow, in time") << "slow" << int(S::Accepted) << 202 << 202 << "slow";
    QTest::newRow("slow, too late") << "slow_late" << int(S::TransientFailure) << 0 << 202 << "slow";
}

void TestTelephonySimulator::faultsReachTheClient()
{
    QFETCH(QString, fault);
    QFETCH(int, status);
    QFETCH(int, httpStatus);
    QFETCH(int, recordedStatus);
    QFETCH(QString, recordedFault);

    // Short for the faults that must time out; answers meant to come too late come long after
    // it, and the one meant to come in time has all the time it needs.
    const int clientTimeoutMs = fault == "slow" ? 15000 : 500;
    auto config = baseConfig();
    auto &f = config.faults;
    if (fault == "timeout") {
        f.timeout = 1;
    } else if (fault == "late_timeout") {
        f.timeout = 1;
        f.timeoutAnswerMs = 10 * clientTimeoutMs;
    } else if (fault == "server_error") {
        f.serverError = 1;
    } else if (fault == "client_error") {
        f.clientError = 1;
    } else if (fault == "slow") {
        f.slow = 1;
        f.slowMs = 100;
    } else {
        f.slow = 1;
        f.slowMs = 10 * clientTimeoutMs;
    }
    SimulatorThread simulator(config);
    QVERIFY(simulator.start().ok());
    CallTrigger trigger({urlOf(simulator.port()), JwtKey, clientTimeoutMs});
    const CallResult result = post(trigger, {IdA, CallKind::Classification, 1});
    QCOMPARE(int(result.status), status);
    QCOMPARE(result.httpStatus, httpStatus);
    const auto requests = simulator.simulator()->requests();
    QCOMPARE(requests.size(), 1);
    QCOMPARE(requests[0].httpStatus, recordedStatus);
    QCOMPARE(requests[0].fault, recordedFault);
}

void TestTelephonySimulator::seedMakesRunsReproducible()
{
    // Fault odds high enough that a run of 30 requests mixes answers.
    auto config = baseConfig();
    config.faults.serverError = 0.3;
    config.faults.clientError = 0.3;
    auto run = [](TelephonySimulator::Config config) {
        SimulatorThread simulator(config);
        QList<int> statuses;
        if (!simulator.start().ok())
            return statuses;
        CallTrigger trigger({urlOf(simulator.port()), JwtKey, 15000});
        for (int attempt = 1; attempt <= 30; ++attempt)
            statuses.append(post(trigger, {IdA, CallKind::Classification, attempt}).httpStatus);
        return statuses;
    };
    config.seed = 7;
    const QList<int> first = run(config);
    QCOMPARE(first.size(), 30);
    QVERIFY(first.contains(202));
    QVERIFY(first.contains(500));
    QVERIFY(first.contains(422));
    QCOMPARE(run(config), first);
    config.seed = 8;
    QVERIFY(run(config) != first);
}

void TestTelephonySimulator::invalidConfigIsRefused()
{
    auto config = baseConfig();
    config.faults.serverError = 0.7;
    config.faults.timeout = 0.7;
    SimulatorThread overCommitted(config);
    const Status status = overCommitted.start();
    QVERIFY(!status.ok());
    QVERIFY2(status.error().contains("more than 1"), qPrintable(status.error()));

    config = baseConfig();
    config.faults.clientErrorStatus = 409;
    QVERIFY(!TelephonySimulator::validate(config).ok());
    config = baseConfig();
    config.outcomes.minDelayMs = 50;
    config.outcomes.maxDelayMs = 10;
    QVERIFY(!TelephonySimulator::validate(config).ok());
    QVERIFY(TelephonySimulator::validate(baseConfig()).ok());
}

void TestTelephonySimulator::outcomesMoveRows_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("outcome"); // human / ivr_only / ivr_then_human / no_answer / success / failure
    QTest::addColumn<double>("taskSuccess");
    QTest::addColumn<QString>("finalState");
    QTest::addColumn<int>("outcomes");
    QTest::newRow("human, task done") << "classification"
                                      << "human" << 1.0 << "completed" << 2;
    QTest::newRow("human, task failed") << "classification"
                                        << "human" << 0.0 << "retry_pending" << 2;
    QTest::newRow("ivr only") << "classification"
                              << "ivr_only" << 1.0 << "classification_pending" << 1;
    QTest::newRow("ivr then human") << "classification"
                                    << "ivr_then_human" << 1.0 << "classification_pending" << 1;
    QTest::newRow("no answer") << "classification"
                               << "no_answer" << 1.0 << "needs_classification" << 1;
    QTest::newRow("task success") << "task"
                                  << "success" << 1.0 << "completed" << 1;
    QTest::newRow("task failure") << "task"
                                  << "failure" << 0.0 << "retry_pending" << 1;
}

void TestTelephonySimulator::outcomesMoveRows()
{
    QFETCH(QString, kind);
    QFETCH(QString, outcome);
    QFETCH(double, taskSuccess);
    QFETCH(QString, finalState);
    QFETCH(int, outcomes);

    TestDatabase db("sim_outcomes");
    QVERIFY2(db.isValid() && db.migrate(), qPrintable(db.error()));
    const QSqlDatabase c = db.connection();
    const bool classification = kind == "classification";
    QVERIFY(putRow(c, IdA, "+12127365000", classification ? "classifying" : "calling", 3));

    auto config = baseConfig();
    config.database = db.settings();
    auto &o = config.outcomes;
    o.human = outcome == "human";
    o.ivrOnly = outcome == "ivr_only";
    o.ivrThenHuman = outcome == "ivr_then_human";
    o.noAnswer = outcome == "no_answer";
    if (!classification)
        o.human = 1; // unused for task calls
    o.taskSuccess = taskSuccess;
    SimulatorThread simulator(config);
    QVERIFY(simulator.start().ok());

    QList<bool> moved;
    QList<QThread *> writtenOn;
    connect(simulator.simulator(), &TelephonySimulator::outcomeWritten, this,
            [&](const QString &, const QString &, int, const QString &, bool wasMoved) {
                moved.append(wasMoved);
            });
    connect(
            simulator.simulator(), &TelephonySimulator::outcomeWritten, simulator.simulator(),
            [&writtenOn] { writtenOn.append(QThread::currentThread()); }, Qt::DirectConnection);

    CallTrigger trigger({urlOf(simulator.port()), JwtKey, 15000});
    const CallResult result
            = post(trigger, {IdA, classification ? CallKind::Classification : CallKind::Task, 3});
    QCOMPARE(result.status, CallResult::Status::Accepted);

    QTRY_COMPARE_WITH_TIMEOUT(moved.size(), outcomes, 30000);
    QCOMPARE(simulator.simulator()->pendingOutcomes(), 0);
    QCOMPARE(simulator.simulator()->outcomeErrors(), 0);
    QVERIFY(!moved.contains(false));
    QCOMPARE(stateOf(c, IdA), finalState);
    // The writes happened on the simulator's thread, not on this (the GUI's) one.
    QCOMPARE(writtenOn.size(), outcomes);
    QVERIFY(!writtenOn.contains(QThread::currentThread()));
    if (classification && outcome != "no_answer") {
        QCOMPARE(scalar(c, "SELECT classification_type FROM call_classifications").toString(), outcome);
    }
}

void TestTelephonySimulator::outcomeForOldAttemptDoesNotMove()
{
    TestDatabase db("sim_stale");
    QVERIFY2(db.isValid() && db.migrate(), qPrintable(db.error()));
    const QSqlDatabase c = db.connection();
    // The row was rescued and is on its attempt 5 now; a late POST of attempt 4 gets through.
    QVERIFY(putRow(c, IdA, "+12127365000", "classifying", 5));

    auto config = baseConfig();
    config.database = db.settings();
    config.outcomes = {1, 0, 0, 0, 1, 10, 20};
    SimulatorThread simulator(config);
    QVERIFY(simulator.start().ok());
    CallTrigger trigger({urlOf(simulator.port()), JwtKey, 15000});
    QCOMPARE(post(trigger, {IdA, CallKind::Classification, 4}).status, CallResult::Status::Accepted);
    QTRY_COMPARE_WITH_TIMEOUT(simulator.simulator()->pendingOutcomes(), 0, 30000);
    QCOMPARE(simulator.simulator()->outcomeErrors(), 0);
    QCOMPARE(stateOf(c, IdA), QStringLiteral("classifying"));
    QCOMPARE(scalar(c,
                    "SELECT count(*) FROM workflow_events WHERE pending_call_id = CAST(? AS uuid) "
                    "AND detail->>'event' = 'stale_outcome'",
                    {IdA})
                     .toInt(),
             2); // the classification and the task result of the human-answered call
}

void TestTelephonySimulator::faultsWriteNoOutcome()
{
    TestDatabase db("sim_faults");
    QVERIFY2(db.isValid() && db.migrate(), qPrintable(db.error()));
    const QSqlDatabase c = db.connection();
    QVERIFY(putRow(c, IdA, "+12127365000", "classifying", 1));
    QVERIFY(putRow(c, IdB, "+12127365001", "calling", 1));

    auto config = baseConfig();
    config.database = db.settings();
    config.faults.serverError = 0.5;
    config.faults.timeout = 0.5; // never answers
    SimulatorThread simulator(config);
    QVERIFY(simulator.start().ok());
    CallTrigger trigger({urlOf(simulator.port()), JwtKey, 300});
    int failures = 0;
    for (int attempt = 1; attempt <= 6; ++attempt) {
        const CallResult result
                = post(trigger,
                       {attempt % 2 ? IdA : IdB, attempt % 2 ? CallKind::Classification : CallKind::Task, 1});
        failures += result.status == CallResult::Status::TransientFailure;
    }
    QCOMPARE(failures, 6);
    // Outcomes are scheduled when a request is answered; none was.
    QCOMPARE(simulator.simulator()->pendingOutcomes(), 0);
    QCOMPARE(simulator.simulator()->outcomesWritten(), 0);
    QCOMPARE(stateOf(c, IdA), QStringLiteral("classifying"));
    QCOMPARE(stateOf(c, IdB), QStringLiteral("calling"));
    // A faulted request was a call that did not happen: the same key may come again.
    QVERIFY(!simulator.simulator()->requests().isEmpty());
    for (const auto &request : simulator.simulator()->requests())
        QVERIFY(request.fault == "timeout" || request.fault == "server_error");
}

void TestTelephonySimulator::concurrentRequestsWithFaults()
{
    // Many calls at once, some of them twice at the same moment, with every kind of fault: a row
    // moves exactly when the simulator accepted its key, and no key is accepted twice.
    TestDatabase db("sim_concurrent");
    QVERIFY2(db.isValid() && db.migrate(), qPrintable(db.error()));
    const QSqlDatabase c = db.connection();
    const int calls = 120;
    QStringList ids;
    for (int i = 0; i < calls; ++i) {
        ids.append(QStringLiteral("cccccccc-0000-4000-8000-%1").arg(i, 12, 10, QLatin1Char('0')));
        QVERIFY(putRow(c, ids.last(), QStringLiteral("+1212736%1").arg(i, 4, 10, QLatin1Char('0')),
                       i % 2 ? "calling" : "classifying", 1));
    }

    auto config = baseConfig();
    config.database = db.settings();
    config.seed = 11;
    config.outcomes.minDelayMs = 0;
    config.outcomes.maxDelayMs = 50;
    config.faults.timeout = 0.1;
    config.faults.serverError = 0.1;
    config.faults.clientError = 0.1;
    config.faults.slow = 0.1;
    config.faults.slowMs = 100;
    SimulatorThread simulator(config);
    QVERIFY(simulator.start().ok());

    CallTrigger trigger({urlOf(simulator.port()), JwtKey, 1000});
    QList<CallResult> results;
    connect(&trigger, &CallTrigger::finished, this,
            [&](const CallResult &result) { results.append(result); });
    int sent = 0;
    for (int i = 0; i < calls; ++i) {
        const CallRequest request{ids[i], i % 2 ? CallKind::Task : CallKind::Classification, 1};
        trigger.send(request);
        ++sent;
        if (i % 4 == 0) { // the same attempt twice, concurrently
            trigger.send(request);
            ++sent;
        }
    }
    QTRY_COMPARE_WITH_TIMEOUT(results.size(), sent, 120000);
    QCOMPARE(trigger.inFlight(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(simulator.simulator()->pendingOutcomes(), 0, 60000);
    QCOMPARE(simulator.simulator()->outcomeErrors(), 0);

    // Every POST reached the simulator: none timed out waiting for a connection in the client.
    QCOMPARE(simulator.simulator()->requests().size(), sent);
    QHash<QString, int> acceptedByServer;
    for (const auto &request : simulator.simulator()->requests()) {
        if (request.httpStatus == 202)
            ++acceptedByServer[request.pendingCallId];
    }
    int moved = 0;
    for (const QString &id : ids) {
        QVERIFY(acceptedByServer.value(id) <= 1);
        const QString state = stateOf(c, id);
        const bool stayed = state == "classifying" || state == "calling";
        QVERIFY2(stayed == !acceptedByServer.contains(id), qPrintable(id + " " + state));
        moved += !stayed;
    }
    // The client's view agrees: an Accepted answer is an accepted key.
    for (const auto &result : results) {
        if (result.status == CallResult::Status::Accepted)
            QVERIFY(acceptedByServer.contains(result.request.pendingCallId));
        if (result.status == CallResult::Status::AlreadyInProgress)
            QVERIFY(acceptedByServer.contains(result.request.pendingCallId));
    }
    QVERIFY(moved > 0);
    QVERIFY(moved < calls);
}

void TestTelephonySimulator::standaloneProcess()
{
    TestDatabase db("sim_process");
    QVERIFY2(db.isValid() && db.migrate(), qPrintable(db.error()));
    const QSqlDatabase c = db.connection();
    QVERIFY(putRow(c, IdA, "+12127365000", "calling", 2));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString recordFile = dir.filePath("sim.jsonl");

    QProcess process;
    process.setProcessChannelMode(QProcess::SeparateChannels);
    process.start(QStringLiteral(CALLOPS_TELEPHONY_SIM_BINARY),
                  {"--db", db.url(), "--port", "0", "--record", recordFile, "--key", SecretKey,
                   "--task-success", "1", "--min-delay", "10", "--max-delay", "20", "--seed", "3"});
    QVERIFY(process.waitForStarted(10000));
    QTRY_VERIFY_WITH_TIMEOUT(process.canReadLine() || process.state() == QProcess::NotRunning, 30000);
    const quint16 port = process.readLine().trimmed().toUShort();
    QVERIFY2(port != 0, qPrintable(QString::fromUtf8(process.readAllStandardError())));

    CallTrigger trigger({urlOf(port), SecretKey, 15000});
    QCOMPARE(post(trigger, {IdA, CallKind::Task, 2}).status, CallResult::Status::Accepted);
    QCOMPARE(post(trigger, {IdA, CallKind::Task, 2}).status, CallResult::Status::AlreadyInProgress);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(c, IdA), QStringLiteral("completed"), 30000);

    ::kill(pid_t(process.processId()), SIGTERM);
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);
    const QString summary = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(summary.contains("2 requests, 1 outcomes written"), qPrintable(summary));

    QFile record(recordFile);
    QVERIFY(record.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = record.readAll().trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    QCOMPARE(QJsonDocument::fromJson(lines[0]).object().value("status").toInt(), 202);
    QCOMPARE(QJsonDocument::fromJson(lines[1]).object().value("status").toInt(), 409);
}

QTEST_GUILESS_MAIN(TestTelephonySimulator)
#include "TestTelephonySimulator.moc"
