#include "HeadlessCommand.h"

#include "ExitCode.h"
#include "common/UnixSignalWatcher.h"
#include "config/Settings.h"
#include "db/ConnectionFailure.h"
#include "db/DatabaseConnection.h"
#include "db/Migrator.h"
#include "scheduler/SchedulerEngine.h"
#include "scheduler/SchedulerGrants.h"
#include "scheduler/SchedulerThread.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTextStream>

#include <csignal>
#include <optional>

Q_DECLARE_LOGGING_CATEGORY(lcEngine)

namespace callops {
namespace {

// Text::tr, not a free tr(): lupdate files a free function's strings under the enclosing
// namespace, so they never matched the context they were looked up in and stayed English.
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(HeadlessCommand)
};

struct PreflightProblem
{
    int exitCode;
    QString message;
};

// The database must be reachable and migrated before the scheduler starts: a server that cannot
// do its job says so at once instead of retrying quietly forever. Unreachable is worth another
// try later (systemd restarts on DatabaseUnavailable); a refused login, a login without the
// scheduler's grants and missing migrations are not, and logging in again and again with a wrong
// password gets the server's address banned.
std::optional<PreflightProblem> preflight(const ConnectionSettings &database)
{
    const QString purpose = QStringLiteral("preflight");
    std::optional<PreflightProblem> problem;
    {
        auto db = DatabaseConnection::open(database, purpose);
        if (!db && ConnectionFailure::isRefusal(db.error()))
            return PreflightProblem{ExitCode::BadConfiguration,
                                    Text::tr("%1 (the server refused the login: retrying will not help; fix "
                                             "the database settings, then start again)")
                                            .arg(db.error())};
        if (!db)
            return PreflightProblem{ExitCode::DatabaseUnavailable, db.error()};
        Migrator migrator(*db);
        const auto grants = SchedulerGrants::check(*db);
        const auto schema = migrator.schemaState();
        if (!grants) {
            problem = PreflightProblem{ExitCode::BadConfiguration, grants.error()};
        } else if (!grants->complete()) {
            // Before the schema: a login that may not read schema_migrations cannot be told how
            // migrated the database is, only that it is the wrong login.
            problem = PreflightProblem{ExitCode::BadConfiguration, grants->message(database.target())};
        } else if (!schema) {
            problem = PreflightProblem{ExitCode::BadConfiguration, schema.error()};
        } else if (!schema->isUsable()) {
            problem = PreflightProblem{ExitCode::BadConfiguration, schema->missingMessage(database.target())};
        } else if (!schema->unknown.isEmpty()) {
            // Mid-way through upgrading a fleet, the servers not yet upgraded go on: what they call
            // is kept by the newer migrations. Said at every start, so that none is forgotten.
            qCWarning(lcEngine).noquote() << schema->newerMessage(database.target());
        }
    }
    DatabaseConnection::close(purpose);
    return problem;
}

} // namespace

int HeadlessCommand::run(const Settings &settings, bool once)
{
    QTextStream err(stderr);
    auto config = SchedulerConfig::fromSettings(settings);
    if (!config) {
        err << config.error() << Qt::endl;
        return ExitCode::BadConfiguration;
    }
    for (const QString &warning : Settings::unrecognisedEnvironment())
        qCWarning(lcEngine).noquote() << warning;
    // Refused before any connection: it would seem to work, without wake-ups or statements.
    if (const Status status = config->database.checkNotTransactionPooler(); !status) {
        err << status.error() << Qt::endl;
        return ExitCode::BadConfiguration;
    }
    if (const auto problem = preflight(config->database)) {
        err << problem->message << Qt::endl;
        return problem->exitCode;
    }
    config.value().continuous = !once;

    SchedulerThread scheduler(*config);
    int exitCode = ExitCode::Ok;
    bool printed = false;
    QObject::connect(scheduler.engine(), &SchedulerEngine::passFinished, qApp,
                     [&](const PassSummary &summary) {
                         if (!once || printed)
                             return;
                         printed = true;
                         QTextStream out(stdout);
                         out << summary.toJson() << Qt::endl;
                         if (!summary.error.isEmpty())
                             exitCode = ExitCode::Failure;
                         scheduler.requestStop();
                     });
    QObject::connect(&scheduler, &SchedulerThread::stopped, qApp, [] { QCoreApplication::quit(); });

    UnixSignalWatcher signalWatcher({SIGTERM, SIGINT});
    QObject::connect(&signalWatcher, &UnixSignalWatcher::signalReceived, qApp, [&](int signalNumber) {
        qCInfo(lcEngine) << "received signal" << signalNumber << "- finishing requests in flight";
        scheduler.requestStop();
    });

    scheduler.start();
    QCoreApplication::exec();
    scheduler.stopAndWait(30000);
    return exitCode;
}

} // namespace callops
