#include "MigrateCommand.h"

#include "ExitCode.h"
#include "SchedulerPreflight.h"
#include "config/Settings.h"
#include "db/DatabaseConnection.h"
#include "db/Migrator.h"

#include <QCoreApplication>
#include <QTextStream>

namespace callops {

int MigrateCommand::run(const Settings &settings)
{
    QTextStream err(stderr);
    const auto connection = ConnectionSettings::parse(settings.string(Settings::Key::DatabaseUrl));
    if (!connection) {
        err << connection.error() << Qt::endl;
        return ExitCode::BadConfiguration;
    }
    // The migrator holds a session advisory lock, which a transaction pooler cannot keep: refused
    // before any connection.
    if (const Status status = connection->checkNotTransactionPooler(); !status) {
        err << status.error() << Qt::endl;
        return ExitCode::BadConfiguration;
    }
    auto db = DatabaseConnection::open(*connection, QStringLiteral("migrate"));
    if (!db) {
        err << db.error() << Qt::endl;
        return ExitCode::BadConfiguration;
    }
    Migrator migrator(*db);
    const Result<QStringList> applied = migrator.migrate();
    if (!applied) {
        err << applied.error() << Qt::endl;
        return ExitCode::Failure;
    }
    if (applied->isEmpty()) {
        err << QCoreApplication::translate("MigrateCommand", "Database %1 is up to date.")
                        .arg(connection->target())
            << Qt::endl;
    } else {
        err << QCoreApplication::translate("MigrateCommand", "Applied %n migration(s) to %1: %2.", nullptr,
                                           int(applied->size()))
                        .arg(connection->target(), applied->join(QStringLiteral(", ")))
            << Qt::endl;
    }
    // An older CallOps on a database a newer one migrated applies nothing: "up to date" alone
    // would hide that this program is the one behind.
    if (const auto schema = migrator.schemaState(); schema && !schema->unknown.isEmpty())
        err << schema->newerMessage(connection->target()) << Qt::endl;
    // The README's switch-over runs this right after removing the guide's pg_cron job: a job still
    // there is said now, not first found by a scheduler that then places no calls.
    if (const auto guide = SchedulerPreflight::guideScheduler(*db);
        guide.kind == SchedulerPreflight::Finding::Kind::Problem)
        err << guide.text << Qt::endl;
    return ExitCode::Ok;
}

} // namespace callops
