#include "CallTriggerReach.h"

#include <QCoreApplication>
#include <QSslSocket>

namespace callops {
namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(CallTriggerReach)
};

} // namespace

QString CallTriggerReach::where(const QUrl &endpoint)
{
    return QStringLiteral("%1:%2")
            .arg(endpoint.host())
            .arg(endpoint.port(endpoint.scheme() == u"https" ? 443 : 80));
}

Status CallTriggerReach::check(const QUrl &endpoint, int timeoutMs)
{
    const bool tls = endpoint.scheme() == u"https";
    const QString host = endpoint.host();
    const quint16 port = quint16(endpoint.port(tls ? 443 : 80));
    const QString where = CallTriggerReach::where(endpoint);
    QSslSocket socket;
    if (tls)
        socket.connectToHostEncrypted(host, port);
    else
        socket.connectToHost(host, port);
    // Blocking waits: a command-line check on the main thread, nothing else to serve meanwhile.
    const bool reached = tls ? socket.waitForEncrypted(timeoutMs) : socket.waitForConnected(timeoutMs);
    if (reached) {
        socket.abort();
        return Status::success();
    }
    switch (socket.error()) {
    case QAbstractSocket::HostNotFoundError:
        return Error{
                Text::tr("The call trigger's host %1 was not found (DNS): check SUPABASE_URL.").arg(host)};
    case QAbstractSocket::SslHandshakeFailedError:
        return Error{
                Text::tr("The call trigger's TLS certificate is not trusted on this machine (%1): install "
                         "the CA certificates (Debian: ca-certificates) or look for a proxy that "
                         "intercepts TLS.")
                        .arg(socket.errorString())};
    case QAbstractSocket::SocketTimeoutError:
        return Error{Text::tr("The call trigger at %1 did not answer within %2 ms: check SUPABASE_URL and "
                              "this machine's way out (firewall, proxy).")
                             .arg(where)
                             .arg(timeoutMs)};
    default:
        return Error{Text::tr("Cannot reach the call trigger at %1: %2.").arg(where, socket.errorString())};
    }
}

} // namespace callops
