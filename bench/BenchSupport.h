#pragma once

#include "common/Result.h"

#include <QJsonObject>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

namespace callops::bench {

// What the benchmark drivers share: their command line, a database connection, seeding with the
// set-based SQL scripts of bench/sql (compiled in as :/bench/...), small queries and the JSON line
// each driver prints for bench/run.
struct BenchOptions
{
    QString command; // first positional argument ("db", "full", ...), if any
    QString databaseUrl;
    int rows = 0;
    int batch = 0;
    int concurrency = 0;
};

Result<BenchOptions> parseOptions(const QStringList &arguments);

Result<QSqlDatabase> openDatabase(const QString &url, const QString &purpose);

// Runs a script of bench/sql statement by statement with bench.rows set to `rows` first.
Status runSeedScript(QSqlDatabase db, const QString &resource, qint64 rows);

// The first column of the first row of a query without parameters, as a number.
Result<qint64> scalar(QSqlDatabase db, const QString &sql);

// Runs a statement without parameters and results (CHECKPOINT, VACUUM).
Status execute(QSqlDatabase db, const QString &sql);

// Prints the result object as one compact JSON line on stdout.
void printJson(const QJsonObject &object);

// Writes a failure to stderr and returns 1, for `return fail(...)` in main().
int fail(const QString &message);

} // namespace callops::bench
