#pragma once

#include "SchemaState.h"
#include "common/Result.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>

namespace callops {

// One schema change: a numbered SQL script run whole in its own transaction.
struct Migration
{
    QString version; // "0003", the file name's numeric prefix; migrations run in this order
    QString name; // the file name, "0003_workflow_events.sql"
    QString sql;
};

// Applies the schema migrations CallOps ships (resources/sql/migrations, compiled in) and records
// each in schema_migrations. Each migration runs in one transaction: a failing one leaves the
// database as it was before it and names itself in the error. Running it again applies nothing.
// An advisory lock keeps two migrators (two servers starting at once) from racing.
class Migrator
{
public:
    explicit Migrator(QSqlDatabase db, QList<Migration> migrations = builtInMigrations());

    static QList<Migration> builtInMigrations();

    // Versions applied by this call, in order.
    Result<QStringList> migrate();
    // How this database's recorded migrations compare with these; reads only.
    Result<SchemaState> schemaState();

private:
    Status ensureBookkeeping();
    // The versions schema_migrations records, in order; none when it does not exist. Reads only.
    Result<QStringList> recordedVersions();
    Status apply(const Migration &migration);

    QSqlDatabase m_db;
    QList<Migration> m_migrations;
};

} // namespace callops
