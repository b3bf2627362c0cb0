#pragma once

#include <QMutex>
#include <QtGlobal>

class QSqlDatabase;

namespace callops {

// Cuts one libpq connection from any thread: shutdown() on its socket, so that a statement
// waiting on a server that no longer answers (a network path gone, a server stopped in its
// tracks) fails at once instead of holding its thread until TCP gives up, or for ever. Nothing is
// sent: the server sees the session end and rolls back what it had not committed. The connection's
// thread sets it while the connection is open and clears it before closing it, so the socket
// number is never one that has since been handed to another file.
class ConnectionCutter final
{
    Q_DISABLE_COPY_MOVE(ConnectionCutter)

public:
    ConnectionCutter() = default;

    // On the connection's thread: the connection to cut (a closed one or another driver's: none).
    void set(const QSqlDatabase &db);
    // On the connection's thread, before the connection is closed.
    void clear();
    // Any thread. False when there was no connection to cut.
    bool cut();

private:
    QMutex m_mutex;
    int m_socket = -1;
};

} // namespace callops
