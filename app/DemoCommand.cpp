#include "DemoCommand.h"

#include "CommandLine.h"
#include "ExitCode.h"
#include "common/UnixSignalWatcher.h"
#include "config/Settings.h"
#include "demo/DemoRuntime.h"
#include "scheduler/PassSummary.h"
#include "scheduler/SchedulerEngine.h"
#include "scheduler/SchedulerThread.h"
#include "workflow/WorkflowState.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QTextStream>

#ifdef CALLOPS_WITH_UI
#include "MainWindow.h"
#include "dialogs/ExportDialog.h"
#include "scheduler/SchedulerPanel.h"
#include <QApplication>
#include <QEventLoop>
#include <QFutureWatcher>
#include <QMessageBox>
#include <QProgressDialog>
#include <QtConcurrent/QtConcurrentRun>

#include <QIcon>
#endif

#include <csignal>

Q_DECLARE_LOGGING_CATEGORY(lcDemo)

namespace callops {
namespace {

// Text::tr, not a free tr(): lupdate files a free function's strings under the enclosing
// namespace, so they never matched the context they were looked up in and stayed English.
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(DemoCommand)
};

// "new 80, checking_classification 2, ..., failed 12": every known state, in the guide's order.
QString describeCounts(const QMap<QString, int> &counts)
{
    QStringList parts;
    for (const WorkflowState state : workflow::knownStates()) {
        const QString name = workflow::stateName(state);
        parts.append(QStringLiteral("%1 %2").arg(name).arg(counts.value(name)));
    }
    for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
        if (workflow::stateFromName(it.key()) == WorkflowState::Unknown)
            parts.append(QStringLiteral("%1 %2").arg(it.key()).arg(it.value()));
    }
    return parts.join(QStringLiteral(", "));
}

void announce(const DemoRuntime &runtime)
{
    qCInfo(lcDemo).noquote() << QStringLiteral("demo database %1 (data in %2)")
                                        .arg(runtime.database().target(), runtime.directory());
}

int runHeadless(Settings &settings, DemoRuntime &runtime)
{
    QTextStream err(stderr);
    bool stopRequested = false;
    UnixSignalWatcher signalWatcher({SIGTERM, SIGINT});
    QObject::connect(&signalWatcher, &UnixSignalWatcher::signalReceived, qApp, [&](int signalNumber) {
        qCInfo(lcDemo) << "received signal" << signalNumber << "- stopping the demo";
        stopRequested = true;
        if (runtime.scheduler())
            runtime.scheduler()->requestStop();
        else
            QCoreApplication::quit();
    });

    const auto database = runtime.prepare();
    if (!database) {
        err << Text::tr("The demo could not start:\n%1").arg(database.error()) << Qt::endl;
        return ExitCode::Failure;
    }
    announce(runtime);
    if (const Status started = runtime.startServices(settings); !started) {
        err << Text::tr("The demo could not start:\n%1").arg(started.error()) << Qt::endl;
        runtime.shutdown();
        return ExitCode::Failure;
    }
    SchedulerThread *scheduler = runtime.scheduler();
    // One line per pass. Wake-ups by notifications make many passes that find nothing; those
    // are logged only when the counts moved (outcomes arrive between passes) or every 10 s.
    QString lastStates;
    QElapsedTimer sinceLastLine;
    QObject::connect(
            scheduler->engine(), &SchedulerEngine::passFinished, qApp,
            [&runtime, &lastStates, &sinceLastLine](const PassSummary &pass) {
                const auto counts = runtime.countsPerState();
                const QString states = counts ? describeCounts(*counts) : counts.error();
                const bool idle = pass.processed == 0 && pass.callsStarted == 0 && pass.error.isEmpty();
                if (idle && states == lastStates && sinceLastLine.isValid()
                    && sinceLastLine.elapsed() < 10'000)
                    return;
                lastStates = states;
                sinceLastLine.start();
                qCInfo(lcDemo).noquote()
                        << QStringLiteral("pass: processed %1, calls started %2%3 | %4")
                                   .arg(pass.processed)
                                   .arg(pass.callsStarted)
                                   .arg(pass.error.isEmpty() ? QString()
                                                             : QStringLiteral(", error: ") + pass.error)
                                   .arg(states);
            });
    QObject::connect(scheduler, &SchedulerThread::stopped, qApp, [] { QCoreApplication::quit(); });
    scheduler->start();
    if (!stopRequested)
        QCoreApplication::exec();
    runtime.shutdown();
    return ExitCode::Ok;
}

#ifdef CALLOPS_WITH_UI
int runWithWindow(Settings &settings, DemoRuntime &runtime)
{
    bool stopRequested = false;
    UnixSignalWatcher signalWatcher({SIGTERM, SIGINT});
    QObject::connect(&signalWatcher, &UnixSignalWatcher::signalReceived, qApp,
                     [&stopRequested](int signalNumber) {
                         qCInfo(lcDemo) << "received signal" << signalNumber << "- closing the demo";
                         stopRequested = true;
                         // Ends every event loop, a dialog's too; closing the windows instead would
                         // ask the dispatcher about a manual action still being written.
                         QCoreApplication::quit();
                     });

    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/callops.svg")));

    // Starting the cluster takes seconds (initdb the first time): off the GUI thread, with progress.
    QProgressDialog progress(Text::tr("Starting the CallOps demo…"), QString(), 0, 0);
    progress.setWindowTitle(Text::tr("CallOps demo"));
    progress.setCancelButton(nullptr);
    progress.setMinimumDuration(0);
    progress.show();
    QString prepareError;
    QFutureWatcher<void> watcher;
    QEventLoop loop;
    QObject::connect(&watcher, &QFutureWatcher<void>::finished, &loop, &QEventLoop::quit);
    watcher.setFuture(QtConcurrent::run([&runtime, &prepareError, &progress] {
        const auto database = runtime.prepare([&progress](const QString &message) {
            QMetaObject::invokeMethod(&progress, [&progress, message] { progress.setLabelText(message); });
        });
        if (!database)
            prepareError = database.error();
    }));
    loop.exec();
    // A signal quits every event loop, this one too: the cluster may still be starting.
    watcher.waitForFinished();
    progress.hide();
    if (!prepareError.isEmpty()) {
        QMessageBox::critical(nullptr, Text::tr("CallOps demo"),
                              Text::tr("The demo could not start:\n%1").arg(prepareError));
        return ExitCode::Failure;
    }
    if (stopRequested) {
        runtime.shutdown();
        return ExitCode::Ok;
    }
    announce(runtime);
    const auto config = runtime.startSimulator(settings);
    if (!config) {
        QMessageBox::critical(nullptr, Text::tr("CallOps demo"),
                              Text::tr("The demo could not start:\n%1").arg(config.error()));
        runtime.shutdown();
        return ExitCode::Failure;
    }
    int exitCode = ExitCode::Ok;
    {
        // The console as a dispatcher sees it, with the engine running in its scheduler panel
        // (the window owns the engine: closing it stops the engine before the database).
        MainWindow window;
        window.setPhoneRegion(config->defaultRegion);
        window.showAsDemo();
        // Another database would leave the engine and the simulator on this one.
        window.disableConnectionChange(Text::tr(
                "The demo runs its own database; start callops without --demo to connect to another."));
        QObject::connect(&window, &MainWindow::exportRequested, &window, [&window] {
            auto *dialog = new ExportDialog(window.worker(), &window);
            dialog->setAttribute(Qt::WA_DeleteOnClose);
            dialog->open();
        });
        window.connectToDatabase(runtime.database().url());
        window.schedulerPanel()->startEngine(*config);
        window.show();
        exitCode = QApplication::exec();
    }
    runtime.shutdown();
    return exitCode;
}
#endif

} // namespace

int DemoCommand::run(Settings &settings, const CommandLineRequest &request)
{
    DemoRuntime runtime(DemoRuntime::Options{{}, request.demoReset});
#ifdef CALLOPS_WITH_UI
    if (!request.noGui)
        return runWithWindow(settings, runtime);
#endif
    return runHeadless(settings, runtime);
}

} // namespace callops
