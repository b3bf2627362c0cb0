#include "SystemdNotifier.h"

#include <QLoggingCategory>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcSystemd, "callops.systemd")

namespace callops {

SystemdNotifier::SystemdNotifier()
{
    const QByteArray path = qgetenv("NOTIFY_SOCKET");
    // A socket path (or "@name" in the abstract namespace); systemd also knows vsock addresses,
    // which it does not give a unit like ours.
    if (path.isEmpty() || (path.front() != '/' && path.front() != '@'))
        return;
    sockaddr_un address{};
    if (size_t(path.size()) >= sizeof(address.sun_path)) {
        qCWarning(lcSystemd) << "NOTIFY_SOCKET is too long; not telling systemd anything";
        return;
    }
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.constData(), size_t(path.size()));
    if (path.front() == '@')
        address.sun_path[0] = '\0';
    m_address = QByteArray(reinterpret_cast<const char *>(&address),
                           qsizetype(offsetof(sockaddr_un, sun_path) + size_t(path.size())));
    m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (m_fd < 0) {
        qCWarning(lcSystemd) << "cannot open a socket to systemd:" << std::strerror(errno);
        return;
    }
    // The pings are for this process only (WATCHDOG_PID names it when systemd sets it).
    const QByteArray pid = qgetenv("WATCHDOG_PID");
    bool ok = false;
    const qint64 usec = qEnvironmentVariable("WATCHDOG_USEC").toLongLong(&ok);
    if (ok && usec > 0 && (pid.isEmpty() || pid.toLongLong() == qint64(::getpid())))
        m_watchdogMs = std::max<qint64>(1, usec / 1000);
}

SystemdNotifier::~SystemdNotifier()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

bool SystemdNotifier::notify(const QByteArray &state) const
{
    if (m_fd < 0)
        return false;
    const ssize_t sent = ::sendto(m_fd, state.constData(), size_t(state.size()), MSG_NOSIGNAL,
                                  reinterpret_cast<const sockaddr *>(m_address.constData()),
                                  socklen_t(m_address.size()));
    if (sent < 0) {
        qCDebug(lcSystemd) << "cannot tell systemd" << state << ":" << std::strerror(errno);
        return false;
    }
    return true;
}

bool SystemdNotifier::status(const QByteArray &text) const
{
    QByteArray line = text;
    line.replace('\n', ' ');
    return notify("STATUS=" + line);
}

} // namespace callops
