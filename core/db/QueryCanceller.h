#pragma once

#include "common/Result.h"

#include <QtGlobal>

#include <memory>

class QSqlDatabase;
struct pg_cancel;

namespace callops {

// Asks the server to cancel what one connection is running now (libpq's PQcancel), from any
// thread: the connection's own thread is the one waiting in the query. Taken from the connection
// while it is open; a new session (after a reconnect) needs a new one, since the server knows a
// cancel by the session's process and secret key.
class QueryCanceller final
{
    Q_DISABLE_COPY_MOVE(QueryCanceller)

public:
    // nullptr for a connection that is closed or not made through libpq (another driver).
    static std::shared_ptr<QueryCanceller> forConnection(const QSqlDatabase &db);
    ~QueryCanceller();

    // Opens a connection to the server to send the request, and so blocks for a round trip (or a
    // connect timeout): never on the GUI thread. The server cancels whatever the session runs
    // when the request arrives, and nothing when it is idle.
    Status cancel() const;

private:
    explicit QueryCanceller(pg_cancel *cancel);

    pg_cancel *m_cancel = nullptr;
};

} // namespace callops
