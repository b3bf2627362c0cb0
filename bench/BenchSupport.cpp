#include "BenchSupport.h"

#include "db/ConnectionSettings.h"
#include "db/DatabaseConnection.h"
#include "db/SqlScript.h"

#include <QCommandLineParser>
#include <QFile>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QTextStream>

namespace callops::bench {

Result<BenchOptions> parseOptions(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("db"), QStringLiteral("PostgreSQL URL of the bench database."),
                      QStringLiteral("url")});
    parser.addOption({QStringLiteral("rows"), QStringLiteral("Rows to seed."), QStringLiteral("n")});
    parser.addOption({QStringLiteral("batch"), QStringLiteral("Engine batch size."), QStringLiteral("n")});
    parser.addOption({QStringLiteral("concurrency"), QStringLiteral("Requests in flight at once."),
                      QStringLiteral("n")});
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("What to measure."));
    if (!parser.parse(arguments))
        return Error{parser.errorText()};
    if (parser.isSet(QStringLiteral("help")))
        return Error{parser.helpText()};
    BenchOptions options;
    options.command = parser.positionalArguments().value(0);
    options.databaseUrl = parser.value(QStringLiteral("db"));
    options.rows = parser.value(QStringLiteral("rows")).toInt();
    options.batch = parser.value(QStringLiteral("batch")).toInt();
    options.concurrency = parser.value(QStringLiteral("concurrency")).toInt();
    if (options.databaseUrl.isEmpty())
        return Error{QStringLiteral("--db URL is required")};
    return options;
}

Result<QSqlDatabase> openDatabase(const QString &url, const QString &purpose)
{
    const auto settings = ConnectionSettings::parse(url);
    if (!settings)
        return Error{settings.error()};
    return DatabaseConnection::open(*settings, purpose);
}

Status runSeedScript(QSqlDatabase db, const QString &resource, qint64 rows)
{
    QFile file(resource);
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("cannot read %1").arg(resource)};
    QSqlQuery query(db);
    query.prepare(QStringLiteral("SELECT set_config('bench.rows', ?, false)"));
    query.addBindValue(QString::number(rows));
    if (!query.exec())
        return Error{DatabaseConnection::describeError(query.lastError())};
    for (const QString &statement : SqlScript::statements(QString::fromUtf8(file.readAll()))) {
        if (!query.exec(statement))
            return Error{QStringLiteral("%1: %2").arg(resource,
                                                      DatabaseConnection::describeError(query.lastError()))};
    }
    return Status::success();
}

Result<qint64> scalar(QSqlDatabase db, const QString &sql)
{
    QSqlQuery query(db);
    if (!query.exec(sql) || !query.next())
        return Error{DatabaseConnection::describeError(query.lastError())};
    return query.value(0).toLongLong();
}

Status execute(QSqlDatabase db, const QString &sql)
{
    QSqlQuery query(db);
    if (!query.exec(sql))
        return Error{DatabaseConnection::describeError(query.lastError())};
    return Status::success();
}

void printJson(const QJsonObject &object)
{
    QTextStream(stdout) << QJsonDocument(object).toJson(QJsonDocument::Compact) << Qt::endl;
}

int fail(const QString &message)
{
    QTextStream(stderr) << "bench: " << message << Qt::endl;
    return 1;
}

} // namespace callops::bench
