#pragma once

#include <QString>
#include <QStringList>

namespace callops {

// Writes PostgreSQL array literals to bind as one text parameter and cast in SQL
// (`CAST(:ids AS uuid[])`): one round trip for a whole batch instead of a query per row.
class PgArray
{
public:
    // {"a","b\"c",NULL}: every element quoted and escaped; a null QString becomes NULL.
    static QString literal(const QStringList &values);
};

} // namespace callops
