#include "HeadlessCommand.h"

#include "ExitCode.h"
#include "SchedulerPreflight.h"
#include "common/UnixSignalWatcher.h"
#include "config/Settings.h"
#include "scheduler/SchedulerEngine.h"
#include "scheduler/SchedulerThread.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTextStream>

#include <csignal>

Q_DECLARE_LOGGING_CATEGORY(lcEngine)

namespace callops {

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
    // The database must be reachable, usable by this login and migrated before the scheduler
    // starts: a server that cannot do its job says so at once instead of retrying quietly forever.
    // (The guide's pg_cron job is the engine's to watch: it holds calls until the job is gone.)
    const SchedulerPreflight::Report preflight = SchedulerPreflight::run(config->database);
    if (preflight.exitCode != ExitCode::Ok) {
        err << preflight.problem << Qt::endl;
        return preflight.exitCode;
    }
    // Said at every start (a database a newer CallOps migrated), so that none is forgotten.
    for (const SchedulerPreflight::Finding &finding : preflight.findings) {
        if (finding.kind == SchedulerPreflight::Finding::Kind::Note)
            qCWarning(lcEngine).noquote() << finding.text;
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
