#include "HeadlessCommand.h"

#include "ExitCode.h"
#include "SchedulerPreflight.h"
#include "common/SystemdNotifier.h"
#include "common/UnixSignalWatcher.h"
#include "config/Settings.h"
#include "scheduler/SchedulerEngine.h"
#include "scheduler/SchedulerThread.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <csignal>

Q_DECLARE_LOGGING_CATEGORY(lcEngine)

namespace callops {
namespace {

// What `systemctl status` shows of a scheduler run as a Type=notify service (in English, as the
// journal): ready once the engine runs, then how the last pass went or what keeps it from calling.
// The watchdog's pings go through the engine's own thread, so that an engine stuck for longer than
// the unit's WatchdogSec is killed and started again by systemd.
void tellSystemd(const SystemdNotifier &systemd, SchedulerThread &scheduler, const QString &target)
{
    if (!systemd.enabled())
        return;
    SchedulerEngine *engine = scheduler.engine();
    QObject::connect(engine, &SchedulerEngine::started, qApp, [&systemd, target] {
        systemd.notify("READY=1\nSTATUS=Running against " + target.toUtf8() + "; no pass yet");
    });
    QObject::connect(engine, &SchedulerEngine::passFinished, qApp, [&systemd](const PassSummary &summary) {
        const QByteArray when = summary.finishedAt.toUTC().toString(Qt::ISODate).toUtf8();
        systemd.status(summary.error.isEmpty() ? QStringLiteral("Last pass %1: %2 claimed, %3 calls started")
                                                         .arg(QString::fromUtf8(when))
                                                         .arg(summary.processed)
                                                         .arg(summary.callsStarted)
                                                         .toUtf8()
                                               : "Last pass " + when + " failed: " + summary.error.toUtf8());
    });
    QObject::connect(engine, &SchedulerEngine::connectionChanged, qApp,
                     [&systemd](bool connected, const QString &message) {
                         if (!connected)
                             systemd.status("Database unreachable (" + message.toUtf8()
                                            + "); connecting again");
                     });
    QObject::connect(engine, &SchedulerEngine::heldChanged, qApp, [&systemd](bool held, const QString &) {
        systemd.status(
                held ? QByteArray("Holding calls: the guide's pg_cron scheduler is active (see the journal)")
                     : QByteArray("Placing calls again"));
    });
    QObject::connect(engine, &SchedulerEngine::refusedChanged, qApp, [&systemd](bool refused) {
        systemd.status(
                refused ? QByteArray("The call trigger refuses the requests (see the journal); no calls "
                                     "until a trial call is accepted")
                        : QByteArray("The call trigger accepts calls again"));
    });
    if (systemd.watchdogMs() > 0) {
        auto *ping = new QTimer(qApp);
        QObject::connect(ping, &QTimer::timeout, engine, [&systemd] { systemd.notify("WATCHDOG=1"); });
        QObject::connect(engine, &QObject::destroyed, ping, &QObject::deleteLater);
        ping->start(int(std::max<qint64>(1, systemd.watchdogMs() / 3)));
    }
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

    // Before the scheduler: its engine's thread sends the watchdog's pings through it.
    const SystemdNotifier systemd;
    SchedulerThread scheduler(*config);
    if (!once)
        tellSystemd(systemd, scheduler, config->database.target());
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
        systemd.notify("STOPPING=1\nSTATUS=Stopping: finishing the requests in flight, giving back claims");
        scheduler.requestStop();
    });

    scheduler.start();
    QCoreApplication::exec();
    scheduler.stopAndWait(30000);
    return exitCode;
}

} // namespace callops
