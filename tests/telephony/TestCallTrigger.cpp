#include "ClosedPort.h"
#include "telephony/CallTrigger.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <memory>
#include <vector>

using namespace callops;
using namespace callops::test;

namespace {

const QString JwtKey
        = QStringLiteral("eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJlLXNlY3JldA");
const QString SecretKey = QStringLiteral("sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz");

// What the server saw of one request.
struct Seen
{
    QByteArray method;
    QString path;
    QMap<QByteArray, QByteArray> headers; // names in lower case
    QByteArray body;
};

// A pre-classify-call stand-in on 127.0.0.1 whose answer is chosen by the pending_call_id the
// client sends: "status-NNN" answers NNN, "slow-MS" answers 202 after MS ms, "never" keeps the
// connection open without answering, "echo-key" answers 422 with the request's credentials in the
// body (a careless server), anything else 202.
class ScriptedServer : public QObject
{
public:
    ScriptedServer()
    {
        m_server.route(QStringLiteral("/functions/v1/pre-classify-call"),
                       [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                           handle(request, std::move(responder));
                       });
        m_port = m_server.listen(QHostAddress::LocalHost, 0);
    }

    quint16 port() const { return m_port; }
    QUrl baseUrl() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_port)); }
    const QList<Seen> &seen() const { return m_seen; }

private:
    void handle(const QHttpServerRequest &request, QHttpServerResponder &&responder)
    {
        Seen seen;
        seen.method = request.method() == QHttpServerRequest::Method::Post ? "POST" : "OTHER";
        seen.path = request.url().path();
        for (const auto &header : request.headers())
            seen.headers.insert(header.first.toLower(), header.second);
        seen.body = request.body();
        m_seen.append(seen);

        const QString id = QJsonDocument::fromJson(seen.body).object().value(u"pending_call_id").toString();
        if (id == u"never") {
            m_held.push_back(std::make_unique<QHttpServerResponder>(std::move(responder)));
            return;
        }
        if (id.startsWith(u"slow-")) {
            const int ms = id.mid(5).toInt();
            auto held = std::make_shared<QHttpServerResponder>(std::move(responder));
            QPointer<QTcpSocket> socket = held->socket();
            QTimer::singleShot(ms, this, [held, socket] {
                if (socket && socket->state() == QAbstractSocket::ConnectedState)
                    held->write(QByteArray(R"({"status":"accepted"})"), "application/json",
                                QHttpServerResponder::StatusCode::Accepted);
            });
            return;
        }
        if (id == u"echo-key") {
            const QByteArray credentials = seen.headers.value("authorization") + seen.headers.value("apikey");
            responder.write(R"({"error":"bad key )" + credentials + R"("})", "application/json",
                            QHttpServerResponder::StatusCode::UnprocessableEntity);
            return;
        }
        int status = 202;
        if (id.startsWith(u"status-"))
            status = id.mid(7).toInt();
        const QByteArray body = status == 422 ? QByteArray(R"({"error":"pending call not found"})")
                                              : QByteArray(R"({"status":"ok"})");
        responder.write(body, "application/json", QHttpServerResponder::StatusCode(status));
    }

    QHttpServer m_server;
    quint16 m_port = 0;
    QList<Seen> m_seen;
    std::vector<std::unique_ptr<QHttpServerResponder>> m_held;
};

CallResult sendOne(CallTrigger &trigger, const CallRequest &request)
{
    QSignalSpy finished(&trigger, &CallTrigger::finished);
    trigger.send(request);
    if (!finished.wait(30000) && finished.isEmpty())
        return {};
    return finished.first().first().value<CallResult>();
}

} // namespace

class TestCallTrigger : public QObject
{
    Q_OBJECT

private slots:
    void keyForm_data();
    void keyForm();
    void validateNamesTheProblemWithoutTheKey_data();
    void validateNamesTheProblemWithoutTheKey();
    void endpointKeepsBasePath_data();
    void endpointKeepsBasePath();
    void answersAreClassified_data();
    void answersAreClassified();
    void requestFollowsTheContract_data();
    void requestFollowsTheContract();
    void timeoutIsTransient();
    void connectionRefusedIsTransient();
    void keyEchoedByServerIsScrubbed();
    void abortAllReportsEveryRequestOnce();
    void requestsBeyondMaxParallelWaitWithoutTimingOut();
    void aPoolOfManagersCarriesMoreThanSixAtOnce();
    void abortAllReportsWaitingRequests();
    void resultsCrossThreads();
};

void TestCallTrigger::keyForm_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<int>("form");
    QTest::newRow("jwt") << JwtKey << int(CallTrigger::KeyForm::Jwt);
    QTest::newRow("sb_secret") << SecretKey << int(CallTrigger::KeyForm::SecretKey);
    QTest::newRow("two parts") << QStringLiteral("abc.def") << int(CallTrigger::KeyForm::Other);
    QTest::newRow("not base64url") << QStringLiteral("a+b.c/d.e") << int(CallTrigger::KeyForm::Other);
    QTest::newRow("publishable") << QStringLiteral("sb_publishable_x") << int(CallTrigger::KeyForm::Other);
    QTest::newRow("plain") << QStringLiteral("local-dev-key") << int(CallTrigger::KeyForm::Other);
}

void TestCallTrigger::keyForm()
{
    QFETCH(QString, key);
    QFETCH(int, form);
    QCOMPARE(int(CallTrigger::keyForm(key)), form);
}

void TestCallTrigger::validateNamesTheProblemWithoutTheKey_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("key");
    QTest::addColumn<int>("timeoutMs");
    QTest::addColumn<QString>("expected"); // empty: valid
    QTest::newRow("ok jwt") << "https://abc.supabase.co" << JwtKey << 15000 << "";
    QTest::newRow("ok secret") << "http://127.0.0.1:54321" << SecretKey << 15000 << "";
    QTest::newRow("no url") << "" << JwtKey << 15000 << "SUPABASE_URL";
    QTest::newRow("no host") << "https://" << JwtKey << 15000 << "not a valid URL";
    QTest::newRow("bad scheme") << "ftp://example.org" << JwtKey << 15000 << "ftp://";
    QTest::newRow("no key") << "https://abc.supabase.co"
                            << "" << 15000 << "SUPABASE_SERVICE_ROLE_KEY";
    QTest::newRow("key with newline")
            << "https://abc.supabase.co" << (SecretKey + "\n") << 15000 << "line breaks";
    QTest::newRow("key with space") << "https://abc.supabase.co" << ("Bearer " + JwtKey) << 15000 << "spaces";
    QTest::newRow("zero timeout") << "https://abc.supabase.co" << JwtKey << 0 << "more than 0 seconds";
    // A pasted function URL: every POST would go to .../pre-classify-call/functions/v1/...
    QTest::newRow("function url") << "https://abc.supabase.co/functions/v1/pre-classify-call" << JwtKey
                                  << 15000 << "https://<ref>.supabase.co";
    QTest::newRow("functions path") << "https://abc.supabase.co/Functions/v1/" << JwtKey << 15000
                                    << "project URL";
    QTest::newRow("functions only") << "https://abc.supabase.co/functions" << JwtKey << 15000
                                    << "project URL";
    QTest::newRow("credentials in url")
            << "https://user:TOPSECRET@abc.supabase.co" << JwtKey << 15000 << "user name or password";
    QTest::newRow("ok proxy path") << "http://127.0.0.1:8000/proxy" << SecretKey << 15000 << "";
}

void TestCallTrigger::validateNamesTheProblemWithoutTheKey()
{
    QFETCH(QString, url);
    QFETCH(QString, key);
    QFETCH(int, timeoutMs);
    QFETCH(QString, expected);
    const auto status = CallTrigger::validate({QUrl(url), key, timeoutMs});
    if (expected.isEmpty()) {
        QVERIFY2(status.ok(), qPrintable(status.error()));
        return;
    }
    QVERIFY(!status.ok());
    QVERIFY2(status.error().contains(expected), qPrintable(status.error()));
    QVERIFY(!status.error().contains(JwtKey));
    QVERIFY(!status.error().contains(SecretKey));
    QVERIFY(!status.error().contains("TOPSECRET"));
}

void TestCallTrigger::endpointKeepsBasePath_data()
{
    QTest::addColumn<QString>("base");
    QTest::addColumn<QString>("endpoint");
    QTest::newRow("bare") << "https://abc.supabase.co"
                          << "https://abc.supabase.co/functions/v1/pre-classify-call";
    QTest::newRow("slash") << "https://abc.supabase.co/"
                           << "https://abc.supabase.co/functions/v1/pre-classify-call";
    QTest::newRow("port and path") << "http://127.0.0.1:8000/proxy//"
                                   << "http://127.0.0.1:8000/proxy/functions/v1/pre-classify-call";
}

void TestCallTrigger::endpointKeepsBasePath()
{
    QFETCH(QString, base);
    QFETCH(QString, endpoint);
    QCOMPARE(CallTrigger::endpoint(QUrl(base)).toString(), endpoint);
}

void TestCallTrigger::answersAreClassified_data()
{
    QTest::addColumn<QString>("pendingCallId");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("httpStatus");
    QTest::addColumn<QString>("errorContains"); // empty: no error text expected
    using S = CallResult::Status;
    QTest::newRow("202") << "status-202" << int(S::Accepted) << 202 << "";
    QTest::newRow("200") << "status-200" << int(S::Accepted) << 200 << "";
    QTest::newRow("409") << "status-409" << int(S::AlreadyInProgress) << 409 << "";
    QTest::newRow("422") << "status-422" << int(S::PermanentFailure) << 422 << "pending call not found";
    QTest::newRow("400") << "status-400" << int(S::PermanentFailure) << 400 << "HTTP 400";
    // The key or the URL, not the call: every call would get the same answer.
    QTest::newRow("401") << "status-401" << int(S::Refused) << 401 << "HTTP 401";
    QTest::newRow("403") << "status-403" << int(S::Refused) << 403 << "HTTP 403";
    QTest::newRow("404") << "status-404" << int(S::Refused) << 404 << "HTTP 404";
    QTest::newRow("429") << "status-429" << int(S::TransientFailure) << 429 << "HTTP 429";
    QTest::newRow("500") << "status-500" << int(S::TransientFailure) << 500 << "HTTP 500";
    QTest::newRow("503") << "status-503" << int(S::TransientFailure) << 503 << "HTTP 503";
    QTest::newRow("slow but in time") << "slow-300" << int(S::Accepted) << 202 << "";
}

void TestCallTrigger::answersAreClassified()
{
    QFETCH(QString, pendingCallId);
    QFETCH(int, status);
    QFETCH(int, httpStatus);
    QFETCH(QString, errorContains);

    ScriptedServer server;
    QVERIFY(server.port() != 0);
    CallTrigger trigger({server.baseUrl(), JwtKey, 15000});
    QSignalSpy idle(&trigger, &CallTrigger::idle);
    const CallRequest request{pendingCallId, CallKind::Task, 3};
    trigger.send(request);
    QCOMPARE(trigger.inFlight(), 1);
    QSignalSpy finished(&trigger, &CallTrigger::finished);
    QVERIFY(finished.wait(30000));
    const auto result = finished.first().first().value<CallResult>();

    QCOMPARE(int(result.status), status);
    QCOMPARE(result.httpStatus, httpStatus);
    QCOMPARE(result.request.pendingCallId, pendingCallId);
    QCOMPARE(result.request.attempt, 3);
    QVERIFY(result.elapsedMs >= 0);
    if (errorContains.isEmpty())
        QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    else
        QVERIFY2(result.error.contains(errorContains), qPrintable(result.error));
    QVERIFY(!result.error.contains(JwtKey));
    QCOMPARE(trigger.inFlight(), 0);
    QCOMPARE(idle.size(), 1);
    QCOMPARE(server.seen().size(), 1);
}

void TestCallTrigger::requestFollowsTheContract_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QByteArray>("authHeader");
    QTest::addColumn<QByteArray>("otherHeader");
    QTest::addColumn<QByteArray>("authValue");
    QTest::addColumn<int>("kind");
    QTest::newRow("jwt as bearer, classification")
            << JwtKey << QByteArray("authorization") << QByteArray("apikey") << ("Bearer " + JwtKey.toUtf8())
            << int(CallKind::Classification);
    QTest::newRow("sb_secret as apikey, task")
            << SecretKey << QByteArray("apikey") << QByteArray("authorization") << SecretKey.toUtf8()
            << int(CallKind::Task);
    QTest::newRow("other form as bearer")
            << "local-dev-key" << QByteArray("authorization") << QByteArray("apikey")
            << QByteArray("Bearer local-dev-key") << int(CallKind::Task);
}

void TestCallTrigger::requestFollowsTheContract()
{
    QFETCH(QString, key);
    QFETCH(QByteArray, authHeader);
    QFETCH(QByteArray, otherHeader);
    QFETCH(QByteArray, authValue);
    QFETCH(int, kind);

    ScriptedServer server;
    QUrl base = server.baseUrl();
    base.setPath(QStringLiteral("/"));
    CallTrigger trigger({base, key, 15000});
    const QString id = QStringLiteral("5b0c1f0e-8d7a-4c59-9a8e-0f4d6c1b2a37");
    const CallResult result = sendOne(trigger, {id, CallKind(kind), 7});
    QCOMPARE(result.status, CallResult::Status::Accepted);

    QCOMPARE(server.seen().size(), 1);
    const Seen &seen = server.seen().first();
    QCOMPARE(seen.method, QByteArray("POST"));
    QCOMPARE(seen.path, QStringLiteral("/functions/v1/pre-classify-call"));
    QCOMPARE(seen.headers.value("content-type"), QByteArray("application/json"));
    const QString kindName
            = CallKind(kind) == CallKind::Task ? QStringLiteral("task") : QStringLiteral("classification");
    QCOMPARE(QString::fromUtf8(seen.headers.value("idempotency-key")), id + ":" + kindName + ":7");
    QCOMPARE(seen.headers.value(authHeader), authValue);
    QVERIFY(!seen.headers.contains(otherHeader));

    QJsonParseError parseError;
    const QJsonObject body = QJsonDocument::fromJson(seen.body, &parseError).object();
    QCOMPARE(parseError.error, QJsonParseError::NoError);
    QCOMPARE(body.size(), 3);
    QCOMPARE(body.value(u"pending_call_id").toString(), id);
    QCOMPARE(body.value(u"kind").toString(), kindName);
    QVERIFY(body.value(u"attempt").isDouble());
    QCOMPARE(body.value(u"attempt").toInt(), 7);
}

void TestCallTrigger::timeoutIsTransient()
{
    ScriptedServer server;
    CallTrigger trigger({server.baseUrl(), JwtKey, 300});
    const CallResult result = sendOne(trigger, {QStringLiteral("never"), CallKind::Classification, 1});
    QCOMPARE(result.status, CallResult::Status::TransientFailure);
    QCOMPARE(result.httpStatus, 0);
    QVERIFY2(result.error.contains("300 ms"), qPrintable(result.error));
    QCOMPARE(trigger.inFlight(), 0);

    // An answer that comes after the timeout is a timeout too.
    const CallResult late = sendOne(trigger, {QStringLiteral("slow-3000"), CallKind::Classification, 1});
    QCOMPARE(late.status, CallResult::Status::TransientFailure);
    QCOMPARE(late.httpStatus, 0);
}

void TestCallTrigger::connectionRefusedIsTransient()
{
    const QUrl url(QStringLiteral("http://127.0.0.1:%1").arg(closedPort()));
    CallTrigger trigger({url, SecretKey, 15000});
    const CallResult result = sendOne(trigger, {QStringLiteral("any"), CallKind::Task, 2});
    QCOMPARE(result.status, CallResult::Status::TransientFailure);
    QCOMPARE(result.httpStatus, 0);
    QVERIFY2(result.error.contains("refused", Qt::CaseInsensitive), qPrintable(result.error));
    QVERIFY(!result.error.contains(SecretKey));
}

void TestCallTrigger::keyEchoedByServerIsScrubbed()
{
    ScriptedServer server;
    for (const QString &key : {JwtKey, SecretKey}) {
        CallTrigger trigger({server.baseUrl(), key, 15000});
        const CallResult result = sendOne(trigger, {QStringLiteral("echo-key"), CallKind::Task, 1});
        QCOMPARE(result.status, CallResult::Status::PermanentFailure);
        QVERIFY2(result.error.contains("bad key"), qPrintable(result.error));
        QVERIFY2(!result.error.contains(key), qPrintable(result.error));
    }
}

void TestCallTrigger::abortAllReportsEveryRequestOnce()
{
    ScriptedServer server;
    CallTrigger trigger({server.baseUrl(), JwtKey, 60000});
    QSignalSpy finished(&trigger, &CallTrigger::finished);
    QSignalSpy idle(&trigger, &CallTrigger::idle);
    for (int attempt = 1; attempt <= 3; ++attempt)
        trigger.send({QStringLiteral("never"), CallKind::Classification, attempt});
    QCOMPARE(trigger.inFlight(), 3);
    // Let the requests reach the server, so the abort cuts real connections.
    QTRY_COMPARE_WITH_TIMEOUT(server.seen().size(), 3, 30000);
    QVERIFY(finished.isEmpty());

    trigger.abortAll();
    QCOMPARE(trigger.inFlight(), 0);
    QCOMPARE(finished.size(), 3);
    QCOMPARE(idle.size(), 1);
    QSet<int> attempts;
    for (const auto &args : finished) {
        const auto result = args.first().value<CallResult>();
        QCOMPARE(result.status, CallResult::Status::TransientFailure);
        attempts.insert(result.request.attempt);
    }
    QCOMPARE(attempts, (QSet<int>{1, 2, 3}));
    // Nothing more comes later.
    QTest::qWait(100);
    QCOMPARE(finished.size(), 3);
}

void TestCallTrigger::requestsBeyondMaxParallelWaitWithoutTimingOut()
{
    // Six requests that are never answered hold every connection until they time out; the three
    // sent after them must not time out while they wait for a connection.
    ScriptedServer server;
    CallTrigger trigger({server.baseUrl(), JwtKey, 1500});
    QList<CallResult> results;
    connect(&trigger, &CallTrigger::finished, this,
            [&](const CallResult &result) { results.append(result); });
    for (int attempt = 1; attempt <= CallTrigger::ConnectionsPerManager; ++attempt)
        trigger.send({QStringLiteral("never"), CallKind::Classification, attempt});
    for (int attempt = 1; attempt <= 3; ++attempt)
        trigger.send({QStringLiteral("status-202"), CallKind::Task, attempt});
    QCOMPARE(trigger.inFlight(), CallTrigger::ConnectionsPerManager + 3);
    QTRY_COMPARE_WITH_TIMEOUT(results.size(), CallTrigger::ConnectionsPerManager + 3, 30000);

    int timedOut = 0;
    int accepted = 0;
    for (const auto &result : results) {
        if (result.request.pendingCallId == "never") {
            QCOMPARE(result.status, CallResult::Status::TransientFailure);
            ++timedOut;
        } else {
            QCOMPARE(result.status, CallResult::Status::Accepted);
            ++accepted;
        }
    }
    QCOMPARE(timedOut, CallTrigger::ConnectionsPerManager);
    QCOMPARE(accepted, 3);
    QCOMPARE(server.seen().size(), CallTrigger::ConnectionsPerManager + 3);
    QCOMPARE(trigger.inFlight(), 0);
}

void TestCallTrigger::aPoolOfManagersCarriesMoreThanSixAtOnce()
{
    // 18 requests that are never answered all reach the server while the first still waits:
    // three managers of six connections each.
    ScriptedServer server;
    CallTrigger trigger({server.baseUrl(), JwtKey, 60000, 18});
    for (int attempt = 1; attempt <= 20; ++attempt)
        trigger.send({QStringLiteral("never"), CallKind::Classification, attempt});
    QTRY_COMPARE_WITH_TIMEOUT(server.seen().size(), 18, 30000);
    QTest::qWait(200);
    QCOMPARE(server.seen().size(), 18);
    QCOMPARE(trigger.inFlight(), 20);
    trigger.abortAll();
    QCOMPARE(trigger.inFlight(), 0);
}

void TestCallTrigger::abortAllReportsWaitingRequests()
{
    ScriptedServer server;
    CallTrigger trigger({server.baseUrl(), JwtKey, 60000});
    QSignalSpy finished(&trigger, &CallTrigger::finished);
    QSignalSpy idle(&trigger, &CallTrigger::idle);
    const int total = CallTrigger::ConnectionsPerManager + 2;
    for (int attempt = 1; attempt <= total; ++attempt)
        trigger.send({QStringLiteral("never"), CallKind::Classification, attempt});
    QTRY_COMPARE_WITH_TIMEOUT(server.seen().size(), CallTrigger::ConnectionsPerManager, 30000);

    trigger.abortAll();
    QCOMPARE(finished.size(), total);
    QCOMPARE(idle.size(), 1);
    QCOMPARE(trigger.inFlight(), 0);
    int neverSent = 0;
    for (const auto &args : finished) {
        const auto result = args.first().value<CallResult>();
        QCOMPARE(result.status, CallResult::Status::TransientFailure);
        neverSent += result.error.contains("before it was sent");
    }
    QCOMPARE(neverSent, 2);
    QTest::qWait(100);
    QCOMPARE(server.seen().size(), CallTrigger::ConnectionsPerManager);
}

void TestCallTrigger::resultsCrossThreads()
{
    ScriptedServer server;
    QThread worker;
    auto *trigger = new CallTrigger({server.baseUrl(), JwtKey, 15000});
    trigger->moveToThread(&worker);
    connect(&worker, &QThread::finished, trigger, &QObject::deleteLater);
    worker.start();

    QList<CallResult> results;
    QThread *receivedOn = nullptr;
    connect(trigger, &CallTrigger::finished, this, [&](const CallResult &result) {
        results.append(result);
        receivedOn = QThread::currentThread();
    });
    QMetaObject::invokeMethod(trigger, [trigger] {
        trigger->send({QStringLiteral("status-202"), CallKind::Classification, 1});
        trigger->send({QStringLiteral("status-409"), CallKind::Task, 2});
    });
    QTRY_COMPARE_WITH_TIMEOUT(results.size(), 2, 30000);
    QCOMPARE(receivedOn, QThread::currentThread());
    QSet<int> statuses;
    for (const auto &result : results)
        statuses.insert(result.httpStatus);
    QCOMPARE(statuses, (QSet<int>{202, 409}));

    worker.quit();
    QVERIFY(worker.wait(10000));
}

QTEST_GUILESS_MAIN(TestCallTrigger)
#include "TestCallTrigger.moc"
