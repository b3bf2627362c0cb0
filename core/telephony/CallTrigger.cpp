#include "CallTrigger.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkAccessManager>

#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <algorithm>

#include <utility>

namespace callops {
namespace {

Q_LOGGING_CATEGORY(lcHttp, "callops.http")

constexpr int BodyExcerptChars = 200;
// Enough of an error body for the excerpt; the rest is not kept.
constexpr qint64 BodyReadLimit = 4096;

bool isBase64UrlPart(QStringView part)
{
    if (part.isEmpty())
        return false;
    for (const QChar c : part) {
        const bool ok = (c >= u'A' && c <= u'Z') || (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9')
                || c == u'-' || c == u'_';
        if (!ok)
            return false;
    }
    return true;
}

// Visible ASCII only: anything else in a header value is either a copy-and-paste accident
// (a trailing newline, a space) or an attempt to inject headers.
bool isHeaderSafe(const QString &value)
{
    for (const QChar c : value) {
        if (c.unicode() <= 0x20 || c.unicode() >= 0x7f)
            return false;
    }
    return true;
}

QString collapseWhitespace(const QString &text)
{
    static const QRegularExpression whitespace(QStringLiteral("\\s+"));
    return QString(text).replace(whitespace, QStringLiteral(" ")).trimmed();
}

} // namespace

QString callKindName(CallKind kind)
{
    switch (kind) {
    case CallKind::Classification:
        return QStringLiteral("classification");
    case CallKind::Task:
        return QStringLiteral("task");
    }
    return {};
}

std::optional<CallKind> callKindFromName(const QString &name)
{
    if (name == u"classification")
        return CallKind::Classification;
    if (name == u"task")
        return CallKind::Task;
    return std::nullopt;
}

QString CallRequest::idempotencyKey() const
{
    return pendingCallId + u':' + callKindName(kind) + u':' + QString::number(attempt);
}

QString callResultStatusName(CallResult::Status status)
{
    switch (status) {
    case CallResult::Status::Accepted:
        return QStringLiteral("accepted");
    case CallResult::Status::AlreadyInProgress:
        return QStringLiteral("already in progress");
    case CallResult::Status::TransientFailure:
        return QStringLiteral("transient failure");
    case CallResult::Status::PermanentFailure:
        return QStringLiteral("permanent failure");
    case CallResult::Status::Refused:
        return QStringLiteral("refused");
    }
    return {};
}

CallTrigger::KeyForm CallTrigger::keyForm(const QString &key)
{
    if (key.startsWith(u"sb_secret_"))
        return KeyForm::SecretKey;
    const QList<QStringView> parts = QStringView(key).split(u'.');
    if (parts.size() == 3 && isBase64UrlPart(parts[0]) && isBase64UrlPart(parts[1]))
        return KeyForm::Jwt; // the signature part may be empty only for unsigned tokens; allow any
    return KeyForm::Other;
}

CallTrigger::CallTrigger(Config config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
{
    qRegisterMetaType<callops::CallRequest>();
    qRegisterMetaType<callops::CallResult>();
    m_config.maxParallel = std::clamp(m_config.maxParallel, 1, MaxParallel);
    m_endpoint = endpoint(m_config.baseUrl);
    if (keyForm(m_config.serviceKey) == KeyForm::SecretKey) {
        m_keyHeader = QByteArrayLiteral("apikey");
        m_keyValue = m_config.serviceKey.toUtf8();
    } else {
        m_keyHeader = QByteArrayLiteral("Authorization");
        m_keyValue = "Bearer " + m_config.serviceKey.toUtf8();
    }
    const int managers = (m_config.maxParallel + ConnectionsPerManager - 1) / ConnectionsPerManager;
    for (int i = 0; i < managers; ++i) {
        auto *manager = new QNetworkAccessManager(this);
        // A POST that is redirected is a misconfigured URL, not something to follow silently.
        manager->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
        m_managers.append(manager);
        m_load.insert(manager, 0);
    }
}

CallTrigger::~CallTrigger()
{
    // Nobody listens any more: drop the requests without reporting them.
    m_waiting.clear();
    const QList<QNetworkReply *> replies = m_inFlight.keys();
    m_inFlight.clear();
    for (QNetworkReply *reply : replies) {
        disconnect(reply, nullptr, this, nullptr);
        reply->abort();
        delete reply;
    }
}

CallTrigger::Status CallTrigger::validate(const Config &config)
{
    if (config.baseUrl.isEmpty()) {
        return Error{tr("The call trigger URL is not set: set SUPABASE_URL (or --supabase-url) to the "
                        "project URL, e.g. https://<ref>.supabase.co.")};
    }
    if (!config.baseUrl.isValid() || config.baseUrl.host().isEmpty()) {
        return Error{
                tr("The call trigger URL \"%1\" is not a valid URL: set SUPABASE_URL to the project URL, "
                   "e.g. https://<ref>.supabase.co.")
                        .arg(config.baseUrl.toDisplayString(QUrl::RemoveUserInfo))};
    }
    const QString scheme = config.baseUrl.scheme();
    if (scheme != u"http" && scheme != u"https") {
        return Error{tr("The call trigger URL must start with https:// (or http:// for a local server), "
                        "not %1://.")
                             .arg(scheme)};
    }
    // A password in the URL would be written to logs and the screen with it, and the key goes in
    // its own header anyway.
    if (!config.baseUrl.userInfo().isEmpty()) {
        return Error{tr("SUPABASE_URL contains a user name or password: remove it; the key goes in "
                        "SUPABASE_SERVICE_ROLE_KEY.")};
    }
    // endpoint() appends the function's path: a pasted function URL would get it twice (404).
    const QString path = config.baseUrl.path();
    if (path.contains(QStringLiteral("/functions/"), Qt::CaseInsensitive)
        || path.endsWith(QStringLiteral("/functions"), Qt::CaseInsensitive)) {
        return Error{tr("SUPABASE_URL is a function's URL: set it to the project URL, "
                        "https://<ref>.supabase.co, without /functions/...")};
    }
    if (config.serviceKey.isEmpty()) {
        return Error{tr("The service key is not set: set SUPABASE_SERVICE_ROLE_KEY to the project's "
                        "service_role (or sb_secret_...) key.")};
    }
    if (!isHeaderSafe(config.serviceKey)) {
        return Error{tr("The service key in SUPABASE_SERVICE_ROLE_KEY contains spaces, line breaks or "
                        "non-ASCII characters: copy the key again without them.")};
    }
    if (config.timeoutMs <= 0)
        return Error{tr("The call trigger timeout must be more than 0 seconds.")};
    return Status::success();
}

QUrl CallTrigger::endpoint(const QUrl &baseUrl)
{
    QUrl url = baseUrl;
    QString path = url.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    url.setPath(path + QStringLiteral("/functions/v1/pre-classify-call"));
    url.setFragment({});
    return url;
}

void CallTrigger::send(const CallRequest &request)
{
    Pending pending{request, {}, false};
    pending.timer.start();
    if (m_inFlight.size() < m_config.maxParallel) {
        start(pending);
        return;
    }
    qCDebug(lcHttp).noquote() << "waiting for a connection:" << request.pendingCallId
                              << callKindName(request.kind) << "attempt" << request.attempt;
    m_waiting.append(pending);
}

void CallTrigger::start(const Pending &pending)
{
    const CallRequest &request = pending.request;
    QNetworkRequest http(m_endpoint);
    http.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    http.setRawHeader(QByteArrayLiteral("Idempotency-Key"), request.idempotencyKey().toUtf8());
    http.setRawHeader(m_keyHeader, m_keyValue);
    // Counts from the moment the request is handed over; with at most maxParallel of them, each
    // has a connection of its own at once.
    http.setTransferTimeout(m_config.timeoutMs);

    const QJsonObject body{
            {QStringLiteral("pending_call_id"), request.pendingCallId},
            {QStringLiteral("kind"), callKindName(request.kind)},
            {QStringLiteral("attempt"), request.attempt},
    };

    qCDebug(lcHttp).noquote() << "POST" << request.pendingCallId << callKindName(request.kind) << "attempt"
                              << request.attempt;
    // The least loaded manager has a free connection: the caller keeps the total below
    // maxParallel, which is at most six per manager.
    QNetworkAccessManager *manager = m_managers.constFirst();
    for (QNetworkAccessManager *candidate : std::as_const(m_managers)) {
        if (m_load.value(candidate) < m_load.value(manager))
            manager = candidate;
    }
    QNetworkReply *reply = manager->post(http, QJsonDocument(body).toJson(QJsonDocument::Compact));
    Pending running = pending;
    running.manager = manager;
    ++m_load[manager];
    m_inFlight.insert(reply, running);
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onReplyFinished(reply); });
}

void CallTrigger::abortAll()
{
    // The waiting ones first, so that no abort below hands their turn to one of them.
    const QList<Pending> waiting = std::exchange(m_waiting, {});
    for (const Pending &pending : waiting) {
        CallResult result;
        result.request = pending.request;
        result.status = CallResult::Status::TransientFailure;
        result.error = tr("request aborted at shutdown before it was sent");
        result.elapsedMs = pending.timer.elapsed();
        report(result);
    }
    const QList<QNetworkReply *> replies = m_inFlight.keys();
    for (QNetworkReply *reply : replies) {
        auto it = m_inFlight.find(reply);
        if (it == m_inFlight.end())
            continue;
        it->abortedByUs = true;
        // abort() emits finished() at once, which reports the result.
        reply->abort();
    }
}

void CallTrigger::onReplyFinished(QNetworkReply *reply)
{
    const auto it = m_inFlight.constFind(reply);
    if (it == m_inFlight.constEnd())
        return;
    const Pending pending = *it;
    m_inFlight.erase(it);
    --m_load[pending.manager];
    const CallResult result = resultOf(reply, pending);
    reply->deleteLater();
    while (m_inFlight.size() < m_config.maxParallel && !m_waiting.isEmpty())
        start(m_waiting.takeFirst());
    report(result);
}

void CallTrigger::report(const CallResult &result)
{
    if (result.status == CallResult::Status::Accepted
        || result.status == CallResult::Status::AlreadyInProgress) {
        qCInfo(lcHttp).noquote() << result.request.pendingCallId << callKindName(result.request.kind)
                                 << "attempt" << result.request.attempt << callResultStatusName(result.status)
                                 << "HTTP" << result.httpStatus << "in" << result.elapsedMs << "ms";
    } else {
        // Debug only: the engine logs each failure as a warning, with what it does about it.
        qCDebug(lcHttp).noquote() << result.request.pendingCallId << callKindName(result.request.kind)
                                  << "attempt" << result.request.attempt
                                  << callResultStatusName(result.status) << "in" << result.elapsedMs
                                  << "ms:" << result.error;
    }
    emit finished(result);
    if (inFlight() == 0)
        emit idle();
}

CallResult CallTrigger::resultOf(QNetworkReply *reply, const Pending &pending) const
{
    CallResult result;
    result.request = pending.request;
    result.elapsedMs = pending.timer.elapsed();
    result.httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();

    if (pending.abortedByUs) {
        result.status = CallResult::Status::TransientFailure;
        result.error = tr("request aborted at shutdown");
        return result;
    }

    if (result.httpStatus == 0) {
        const QNetworkReply::NetworkError error = reply->error();
        // A certificate this machine does not trust (no CA certificates installed, a proxy that
        // intercepts TLS) fails every call the same way and says nothing about the call: refused,
        // so that calls pause without spending attempts, as for a wrong key.
        result.status = error == QNetworkReply::SslHandshakeFailedError
                ? CallResult::Status::Refused
                : CallResult::Status::TransientFailure;
        if (error == QNetworkReply::OperationCanceledError || error == QNetworkReply::TimeoutError)
            result.error = tr("no answer within %1 ms").arg(m_config.timeoutMs);
        else
            result.error = withoutKey(reply->errorString());
        return result;
    }

    const int code = result.httpStatus;
    if (code >= 200 && code < 300) {
        result.status = CallResult::Status::Accepted;
        return result;
    }
    if (code == 409) {
        result.status = CallResult::Status::AlreadyInProgress;
        return result;
    }
    // 408 and 429 are 4xx but say "not now" rather than "never": the engine backs off and retries.
    if (code >= 500 || code == 408 || code == 429)
        result.status = CallResult::Status::TransientFailure;
    else if (code == 401 || code == 403 || code == 404)
        result.status = CallResult::Status::Refused;
    else
        result.status = CallResult::Status::PermanentFailure;

    const QString reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
    // Scrubbed before it is cut, so that no part of an echoed key survives.
    const QString body = withoutKey(collapseWhitespace(QString::fromUtf8(reply->read(BodyReadLimit))));
    QString error = QStringLiteral("HTTP %1").arg(code);
    if (!reason.isEmpty())
        error += u' ' + reason;
    if (!body.isEmpty())
        error += QStringLiteral(": ") + body.left(BodyExcerptChars);
    result.error = withoutKey(error);
    return result;
}

QString CallTrigger::withoutKey(QString text) const
{
    if (!m_config.serviceKey.isEmpty())
        text.replace(m_config.serviceKey, QStringLiteral("[key]"));
    return text;
}

} // namespace callops
