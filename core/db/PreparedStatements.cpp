#include "PreparedStatements.h"

#include <QSqlQuery>

namespace callops {

PreparedStatements::PreparedStatements(const QSqlDatabase &db)
    : m_connectionName(db.connectionName())
{ }

PreparedStatements::~PreparedStatements() = default;

QSqlQuery *PreparedStatements::prepared(const QString &sql)
{
    if (auto found = m_queries.find(sql); found != m_queries.end()) {
        // A result still open from the last run would hold its rows until the next exec().
        found->second->finish();
        return found->second.get();
    }
    // Not forward only: QPSQL then reads the whole result at exec() and the connection is idle
    // again at once. A forward-only query is read row by row (libpq's single-row mode, a result
    // object per row) and, left unfinished, holds back the LISTEN notifications behind it.
    auto query = std::make_unique<QSqlQuery>(QSqlDatabase::database(m_connectionName, false));
    if (!query->prepare(sql)) {
        m_lastError = query->lastError();
        return nullptr;
    }
    return m_queries.emplace(sql, std::move(query)).first->second.get();
}

} // namespace callops
