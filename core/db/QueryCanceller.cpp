#include "QueryCanceller.h"

#include "PgHandle.h"

#include <QSqlDatabase>
#include <QString>

namespace callops {

std::shared_ptr<QueryCanceller> QueryCanceller::forConnection(const QSqlDatabase &db)
{
    PGconn *connection = pgHandle(db);
    if (!connection)
        return nullptr;
    PGcancel *cancel = PQgetCancel(connection);
    if (!cancel)
        return nullptr;
    return std::shared_ptr<QueryCanceller>(new QueryCanceller(cancel));
}

QueryCanceller::QueryCanceller(pg_cancel *cancel)
    : m_cancel(cancel)
{ }

QueryCanceller::~QueryCanceller()
{
    PQfreeCancel(m_cancel);
}

Status QueryCanceller::cancel() const
{
    // PQcancel only reads the PGcancel, so one object may serve several threads; the message
    // buffer is this call's own.
    char message[256] = {};
    if (PQcancel(m_cancel, message, int(sizeof message)) != 1)
        return Error{QString::fromLocal8Bit(message).trimmed()};
    return Status::success();
}

} // namespace callops
