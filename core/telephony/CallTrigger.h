#pragma once

#include "common/Result.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QUrl>

#include <optional>

class QNetworkAccessManager;
class QNetworkReply;

namespace callops {

// Which of the two calls of a pending call is being started: the classification call (is a human
// or an IVR answering?) or the task call (the voice agent does the work).
enum class CallKind : quint8 { Classification, Task };
// "classification" / "task", as in the request body and the Idempotency-Key.
QString callKindName(CallKind kind);
std::optional<CallKind> callKindFromName(const QString &name);

// One POST to pre-classify-call: which pending call, which call, which attempt of it.
struct CallRequest
{
    QString pendingCallId;
    CallKind kind = CallKind::Classification;
    int attempt = 0;

    // "{pending_call_id}:{kind}:{attempt}": the same attempt always gets the same key, so the
    // function can refuse a second call for it.
    QString idempotencyKey() const;
};

// How a POST ended, as the engine acts on it.
struct CallResult
{
    enum class Status : quint8 {
        Accepted, // 2xx: the call is being placed
        AlreadyInProgress, // 409: this attempt was already accepted earlier; not an error
        TransientFailure, // 5xx, 408, 429, timeout, network error, aborted: try again later
        PermanentFailure, // any other 4xx (or 3xx): trying again will not help
        // 401, 403, 404: the endpoint refuses the request itself (the key, or no such function
        // at that URL); or its TLS certificate is not trusted here. Not the call's fault: every
        // call would get the same answer.
        Refused,
    };

    CallRequest request;
    Status status = Status::TransientFailure;
    int httpStatus = 0; // 0 when no HTTP answer came
    QString error; // short, for last_error and logs; never contains the key
    qint64 elapsedMs = 0;
};
QString callResultStatusName(CallResult::Status status);

// Starts calls the way the guide's scheduler did: POST {baseUrl}/functions/v1/pre-classify-call
// with the service key, an Idempotency-Key and a small JSON body (DESIGN.md "Call trigger").
// Lives on the thread that owns it (the engine keeps it on an HTTP thread of its own) and never
// blocks it: send() starts the request and finished() reports it. How many run at once is the
// caller's business.
class CallTrigger final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CallTrigger)

public:
    using Status = callops::Status;

    struct Config
    {
        QUrl baseUrl; // SUPABASE_URL
        QString serviceKey; // SUPABASE_SERVICE_ROLE_KEY
        int timeoutMs = 15000;
        int maxParallel = ConnectionsPerManager; // POSTs at once, 1..MaxParallel
    };

    // How the key is sent: a JWT (three base64url parts) and any unknown form as
    // "Authorization: Bearer", the newer sb_secret_... keys as "apikey".
    enum class KeyForm : quint8 { Jwt, SecretKey, Other };
    static KeyForm keyForm(const QString &key);

    explicit CallTrigger(Config config, QObject *parent = nullptr);
    ~CallTrigger() override;

    // A clear message for a missing or unusable URL or key (never showing the key).
    static Status validate(const Config &config);
    // {baseUrl}/functions/v1/pre-classify-call, whatever trailing slash baseUrl has.
    static QUrl endpoint(const QUrl &baseUrl);

    // QNetworkAccessManager opens at most six HTTP/1.1 connections to a host and queues the rest,
    // with their timeouts already running: a request stuck behind slow ones would time out
    // without ever being sent. So each manager carries at most six POSTs, a pool of managers
    // carries Config::maxParallel, and further send()s wait here, their timeout starting when
    // they are sent. Keep the engine's concurrency at or below maxParallel so that nothing waits
    // between the commit of a call's state and its POST.
    static constexpr int ConnectionsPerManager = 6;
    static constexpr int MaxParallel = 48; // the largest maxParallel accepted

    // Starts the POST now (or, beyond maxParallel, as soon as one finishes); finished() follows
    // exactly once per send().
    void send(const CallRequest &request);
    // Requests sent or waiting to be sent, whose finished() has not come yet.
    int inFlight() const { return int(m_inFlight.size() + m_waiting.size()); }
    // Aborts every request still running or waiting (shutdown after the grace period); their
    // results come back through finished() as TransientFailure before this returns.
    void abortAll();

signals:
    void finished(const callops::CallResult &result);
    void idle(); // inFlight() dropped to 0

private:
    struct Pending
    {
        CallRequest request;
        QElapsedTimer timer;
        bool abortedByUs = false;
        QNetworkAccessManager *manager = nullptr;
    };

    void start(const Pending &pending);
    void onReplyFinished(QNetworkReply *reply);
    void report(const CallResult &result);
    CallResult resultOf(QNetworkReply *reply, const Pending &pending) const;
    QString withoutKey(QString text) const;

    Config m_config;
    // Worked out once from the config, not per POST.
    QUrl m_endpoint;
    QByteArray m_keyHeader;
    QByteArray m_keyValue;
    QList<QNetworkAccessManager *> m_managers;
    QHash<QNetworkAccessManager *, int> m_load; // POSTs running per manager
    QHash<QNetworkReply *, Pending> m_inFlight;
    QList<Pending> m_waiting; // beyond maxParallel, oldest first
};

} // namespace callops

Q_DECLARE_METATYPE(callops::CallRequest)
Q_DECLARE_METATYPE(callops::CallResult)
