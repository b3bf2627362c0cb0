#pragma once

#include <QByteArray>

namespace callops {

// Tells systemd how the service is doing (sd_notify's protocol, without libsystemd): READY=1 once
// the scheduler runs, so that `systemctl start` returns only then and fails when it cannot start;
// STATUS= lines for `systemctl status`; WATCHDOG=1 pings; STOPPING=1. A datagram to the socket in
// $NOTIFY_SOCKET, which systemd sets for a Type=notify unit. Outside systemd it does nothing.
class SystemdNotifier final
{
public:
    SystemdNotifier();
    ~SystemdNotifier();
    SystemdNotifier(const SystemdNotifier &) = delete;
    SystemdNotifier &operator=(const SystemdNotifier &) = delete;

    bool enabled() const { return m_fd >= 0; }
    // How often systemd wants a WATCHDOG=1 at the latest (the unit's WatchdogSec), in ms; 0: never.
    qint64 watchdogMs() const { return m_watchdogMs; }
    // Sends "KEY=value\n..." lines; false when not enabled or the send failed. Any thread.
    bool notify(const QByteArray &state) const;
    // One STATUS= line (made one line, whatever `text` holds).
    bool status(const QByteArray &text) const;

private:
    int m_fd = -1;
    QByteArray m_address; // sockaddr_un, as long as it is
    qint64 m_watchdogMs = 0;
};

} // namespace callops
