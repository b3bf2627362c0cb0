#pragma once

#include <QSqlDatabase>
#include <QSqlError>
#include <QString>

#include <map>
#include <memory>

class QSqlQuery;

namespace callops {

// The statements one connection runs again and again, each prepared once. QPSQL turns every
// QSqlQuery::prepare() into a PREPARE round trip (parsed and analysed by the server) and every
// destroyed prepared query into a DEALLOCATE: a query built per call costs three round trips
// where a kept one costs one EXECUTE. Kept for the life of the connection; owned by whoever owns
// the connection's work (a repository, a recorder) and dropped with it on a reconnect.
// It holds the connection's name, not a QSqlDatabase: destroyed after the connection was removed
// (its driver gone), the queries skip their DEALLOCATE, which on a connection the server dropped
// would only print a warning per statement.
class PreparedStatements
{
public:
    explicit PreparedStatements(const QSqlDatabase &db);
    ~PreparedStatements();
    PreparedStatements(const PreparedStatements &) = delete;
    PreparedStatements &operator=(const PreparedStatements &) = delete;

    // The query prepared for sql, prepared on first use; nullptr when preparing
    // failed (lastError() says why, and the next call tries again). Values bound earlier stay
    // bound: callers bind every placeholder before each exec().
    QSqlQuery *prepared(const QString &sql);
    QSqlError lastError() const { return m_lastError; }

private:
    QString m_connectionName;
    std::map<QString, std::unique_ptr<QSqlQuery>> m_queries;
    QSqlError m_lastError;
};

} // namespace callops
