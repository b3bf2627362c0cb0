#include "ContractServer.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QSslCertificate>
#include <QSslKey>
#include <QTcpSocket>
#include <QTimer>

#include <memory>

namespace callops::test {

ContractServer::ContractServer()
{
    route();
    m_port = m_server.listen(QHostAddress::LocalHost, 0);
}

ContractServer::ContractServer(const QSslCertificate &certificate, const QSslKey &key)
    : m_tls(true)
{
    route();
    m_server.sslSetup(certificate, key);
    m_port = m_server.listen(QHostAddress::LocalHost, 0);
}

void ContractServer::route()
{
    m_server.route(QStringLiteral("/functions/v1/pre-classify-call"),
                   [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                       Received received;
                       received.at = QDateTime::currentDateTimeUtc();
                       for (const auto &header : request.headers()) {
                           const QByteArray name = header.first.toLower();
                           if (name == "idempotency-key")
                               received.idempotencyKey = QString::fromUtf8(header.second);
                           else if (name == "authorization")
                               received.authorization = header.second;
                           else if (name == "apikey")
                               received.apiKey = header.second;
                       }
                       const QJsonObject body = QJsonDocument::fromJson(request.body()).object();
                       received.pendingCallId = body.value(u"pending_call_id").toString();
                       received.kind = body.value(u"kind").toString();
                       received.attempt = body.value(u"attempt").toInt();
                       received.answered = m_statuses.value(received.pendingCallId, m_defaultStatus);
                       m_received.append(received);
                       const auto status = QHttpServerResponder::StatusCode(received.answered);
                       if (m_answerDelayMs <= 0) {
                           responder.write(QByteArray(R"({"ok":true})"), "application/json", status);
                           return;
                       }
                       auto held = std::make_shared<QHttpServerResponder>(std::move(responder));
                       QPointer<QTcpSocket> socket = held->socket();
                       QTimer::singleShot(m_answerDelayMs, this, [held, socket, status] {
                           if (socket && socket->state() == QAbstractSocket::ConnectedState)
                               held->write(QByteArray(R"({"ok":true})"), "application/json", status);
                       });
                   });
}

QUrl ContractServer::baseUrl() const
{
    return QUrl(QStringLiteral("%1://127.0.0.1:%2")
                        .arg(m_tls ? QStringLiteral("https") : QStringLiteral("http"))
                        .arg(m_port));
}

QList<ContractServer::Received> ContractServer::receivedFor(const QString &pendingCallId) const
{
    QList<Received> result;
    for (const Received &r : m_received) {
        if (r.pendingCallId == pendingCallId)
            result.append(r);
    }
    return result;
}

} // namespace callops::test
