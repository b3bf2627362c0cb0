#include "ConnectionCutter.h"

#include "PgHandle.h"

#include <QMutexLocker>
#include <QSqlDatabase>

#include <sys/socket.h>

namespace callops {

void ConnectionCutter::set(const QSqlDatabase &db)
{
    PGconn *connection = pgHandle(db);
    QMutexLocker lock(&m_mutex);
    m_socket = connection ? PQsocket(connection) : -1;
}

void ConnectionCutter::clear()
{
    QMutexLocker lock(&m_mutex);
    m_socket = -1;
}

bool ConnectionCutter::cut()
{
    QMutexLocker lock(&m_mutex);
    if (m_socket < 0)
        return false;
    // The descriptor stays open (libpq closes it with the connection): the thread waiting on it
    // sees the end of the stream, and libpq reports the connection lost.
    ::shutdown(m_socket, SHUT_RDWR);
    m_socket = -1;
    return true;
}

} // namespace callops
