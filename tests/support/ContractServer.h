#pragma once

#include <QDateTime>
#include <QHash>
#include <QHttpServer>
#include <QList>
#include <QObject>
#include <QUrl>

class QSslCertificate;
class QSslKey;

namespace callops::test {

// A pre-classify-call endpoint on 127.0.0.1 that answers by the contract of DESIGN.md and
// records what it was sent. The status of the answer can be set per pending call (default 202).
class ContractServer : public QObject
{
    Q_OBJECT

public:
    struct Received
    {
        QString pendingCallId;
        QString kind;
        int attempt = 0;
        QString idempotencyKey;
        QByteArray authorization;
        QByteArray apiKey;
        int answered = 0;
        QDateTime at;
    };

    ContractServer();
    // Answers over HTTPS with this certificate, as the real endpoint does.
    ContractServer(const QSslCertificate &certificate, const QSslKey &key);

    QUrl baseUrl() const;
    void setStatusFor(const QString &pendingCallId, int status) { m_statuses.insert(pendingCallId, status); }
    void setDefaultStatus(int status) { m_defaultStatus = status; }
    // Answers this long after a request came (0: at once), as a slow endpoint would.
    void setAnswerDelayMs(int ms) { m_answerDelayMs = ms; }
    const QList<Received> &received() const { return m_received; }
    QList<Received> receivedFor(const QString &pendingCallId) const;

private:
    void route();

    QHttpServer m_server;
    quint16 m_port = 0;
    bool m_tls = false;
    int m_defaultStatus = 202;
    int m_answerDelayMs = 0;
    QHash<QString, int> m_statuses;
    QList<Received> m_received;
};

} // namespace callops::test
