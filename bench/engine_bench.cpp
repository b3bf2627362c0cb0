// The engine's benchmark driver for bench/run. Two measurements, each against a freshly migrated
// database given with --db:
//
//   callops_engine_bench db --db URL --rows N [--batch B]
//     Seeds N due `new` rows (bench/sql/engine_seed.sql: numbers in varied formats, 60 % with an
//     active classification) and drives the engine's passes with runPassNow, one after another,
//     until every seeded row has left `new`: rows/s for new -> ready_to_call / needs_classification,
//     classification look-ups included. The calling window is closed during the run so that rows
//     that became callable are not called: only the database work is timed.
//
//   callops_engine_bench full --db URL --rows N [--batch B] [--concurrency C]
//     Seeds N ready_to_call rows (bench/sql/engine_full_seed.sql), starts the telephony simulator on
//     127.0.0.1 (no delay, every task succeeds) and the engine as `callops --no-gui` runs it
//     (continuous, no calls-per-second limit, always inside the calling window): calls/s from
//     ready_to_call through calling (POST answered) to completed (outcome written by the simulator
//     through OutcomeRecorder).
//
// Each prints one JSON line on stdout; the figures are checked against the database first, so a run
// that skipped rows cannot pass for a fast one.
#include "BenchSupport.h"

#include "db/ConnectionSettings.h"
#include "scheduler/PassSummary.h"
#include "scheduler/SchedulerConfig.h"
#include "scheduler/SchedulerEngine.h"
#include "scheduler/SchedulerThread.h"
#include "telephony/SimulatorThread.h"

#include <QCoreApplication>
#include <QDate>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QLocale>
#include <QTimer>

using namespace callops;
using namespace callops::bench;

namespace {

constexpr int kDefaultBatch = 100;
// As many POSTs at once as the peer runs jobs at once.
constexpr int kDefaultConcurrency = 10;
constexpr int kTimeoutMs = 30 * 60 * 1000;

// A one-minute window three days from now: closed for the whole run, whatever the day.
QString closedWindow()
{
    const QDate day = QDate::currentDate().addDays(3);
    return QLocale::c().dayName(day.dayOfWeek(), QLocale::ShortFormat).toLower()
            + QStringLiteral(" 00:00-00:01");
}

SchedulerConfig engineConfig(const BenchOptions &options, const ConnectionSettings &database)
{
    SchedulerConfig config;
    config.database = database;
    config.schedulerId = QStringLiteral("bench");
    config.batchSize = options.batch > 0 ? options.batch : kDefaultBatch;
    config.callsPerSecond = 0;
    return config;
}

double perSecond(qint64 count, qint64 nanoseconds)
{
    return nanoseconds > 0 ? double(count) * 1e9 / double(nanoseconds) : 0.0;
}

// Rows whose state is the one the seed expects (workflow_metadata.bench_expect).
Result<qint64> rowsAsExpected(QSqlDatabase db)
{
    return scalar(db,
                  QStringLiteral("SELECT count(*) FROM pending_calls "
                                 "WHERE workflow_state = workflow_metadata->>'bench_expect'"));
}

int runDatabaseOnly(const BenchOptions &options, const ConnectionSettings &database, QSqlDatabase db)
{
    if (Status seeded = runSeedScript(db, QStringLiteral(":/bench/sql/engine_seed.sql"), options.rows);
        !seeded)
        return fail(seeded.error());
    const auto classified
            = scalar(db,
                     QStringLiteral("SELECT count(*) FROM pending_calls "
                                    "WHERE workflow_metadata->>'bench_expect' = 'ready_to_call'"));
    if (!classified)
        return fail(classified.error());
    if (Status quiet = execute(db, QStringLiteral("CHECKPOINT")); !quiet)
        return fail(quiet.error());

    SchedulerConfig config = engineConfig(options, database);
    config.continuous = false;
    config.callingHours = closedWindow();
    config.supabaseUrl = QUrl(QStringLiteral("http://127.0.0.1:9"));
    config.serviceKey = QStringLiteral("bench-not-used");

    SchedulerThread scheduler(config);
    SchedulerEngine *engine = scheduler.engine();
    QElapsedTimer timer;
    qint64 elapsed = 0;
    qint64 moved = 0;
    int passes = 0;
    QString error;
    QObject::connect(engine, &SchedulerEngine::passStarted, qApp, [&] {
        if (!timer.isValid())
            timer.start();
    });
    QObject::connect(engine, &SchedulerEngine::passFinished, qApp, [&](const PassSummary &summary) {
        ++passes;
        for (const RowResult &row : summary.results) {
            if (row.status == QLatin1String("classification_found")
                || row.status == QLatin1String("needs_classification"))
                ++moved;
        }
        if (!summary.error.isEmpty()) {
            error = summary.error;
            QCoreApplication::quit();
        } else if (moved >= options.rows || summary.processed == 0) {
            elapsed = timer.nsecsElapsed();
            QCoreApplication::quit();
        } else {
            QMetaObject::invokeMethod(engine, &SchedulerEngine::runPassNow, Qt::QueuedConnection);
        }
    });
    QObject::connect(engine, &SchedulerEngine::errorOccurred, qApp,
                     [&](const QString &message) { error = message; });
    QTimer::singleShot(kTimeoutMs, qApp, [&] {
        error = QStringLiteral("timed out");
        QCoreApplication::quit();
    });
    scheduler.start();
    QCoreApplication::exec();
    scheduler.stopAndWait(20000);
    if (!error.isEmpty())
        return fail(QStringLiteral("engine: %1").arg(error));

    const auto asExpected = rowsAsExpected(db);
    if (!asExpected)
        return fail(asExpected.error());
    if (moved != options.rows || *asExpected != options.rows) {
        return fail(QStringLiteral("%1 of %2 rows moved, %3 in the expected state")
                            .arg(moved)
                            .arg(options.rows)
                            .arg(*asExpected));
    }
    printJson({{QStringLiteral("rows"), options.rows},
               {QStringLiteral("batch"), config.batchSize},
               {QStringLiteral("passes"), passes},
               {QStringLiteral("ready_to_call"), *classified},
               {QStringLiteral("needs_classification"), options.rows - *classified},
               {QStringLiteral("seconds"), double(elapsed) / 1e9},
               {QStringLiteral("rows_per_second"), qRound(perSecond(options.rows, elapsed))}});
    return 0;
}

int runFullCycle(const BenchOptions &options, const ConnectionSettings &database, QSqlDatabase db)
{
    if (Status seeded = runSeedScript(db, QStringLiteral(":/bench/sql/engine_full_seed.sql"), options.rows);
        !seeded)
        return fail(seeded.error());

    TelephonySimulator::Config simulatorConfig;
    simulatorConfig.database = database;
    simulatorConfig.outcomes.human = 1;
    simulatorConfig.outcomes.ivrOnly = 0;
    simulatorConfig.outcomes.ivrThenHuman = 0;
    simulatorConfig.outcomes.noAnswer = 0;
    simulatorConfig.outcomes.taskSuccess = 1;
    simulatorConfig.outcomes.minDelayMs = 0;
    simulatorConfig.outcomes.maxDelayMs = 0;
    if (Status quiet = execute(db, QStringLiteral("CHECKPOINT")); !quiet)
        return fail(quiet.error());
    SimulatorThread simulator(simulatorConfig);
    if (Status started = simulator.start(); !started)
        return fail(QStringLiteral("simulator: %1").arg(started.error()));

    SchedulerConfig config = engineConfig(options, database);
    config.continuous = true;
    config.callingHours = QStringLiteral("mon-sun 00:00-24:00");
    config.maxConcurrentRequests = options.concurrency > 0 ? options.concurrency : kDefaultConcurrency;
    config.supabaseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(simulator.port()));
    config.serviceKey = QStringLiteral("bench-key");

    SchedulerThread scheduler(config);
    SchedulerEngine *engine = scheduler.engine();
    QElapsedTimer timer;
    qint64 callingAt = 0;
    qint64 completedAt = 0;
    qint64 callsStarted = 0;
    qint64 completed = 0;
    int passes = 0;
    int outcomeErrors = 0;
    QString error;
    QObject::connect(engine, &SchedulerEngine::passStarted, qApp, [&] {
        if (!timer.isValid())
            timer.start();
    });
    QObject::connect(engine, &SchedulerEngine::passFinished, qApp, [&](const PassSummary &summary) {
        ++passes;
        callsStarted += summary.callsStarted;
        if (!summary.error.isEmpty()) {
            error = summary.error;
            QCoreApplication::quit();
        }
        if (callsStarted >= options.rows && callingAt == 0)
            callingAt = timer.nsecsElapsed();
    });
    QObject::connect(engine, &SchedulerEngine::errorOccurred, qApp,
                     [&](const QString &message) { error = message; });
    QObject::connect(simulator.simulator(), &TelephonySimulator::outcomeWritten, qApp,
                     [&](const QString &, const QString &kind, int, const QString &, bool moved) {
                         if (!moved || kind != QLatin1String("task"))
                             return;
                         if (++completed >= options.rows) {
                             completedAt = timer.nsecsElapsed();
                             QCoreApplication::quit();
                         }
                     });
    QObject::connect(simulator.simulator(), &TelephonySimulator::outcomeFailed, qApp,
                     [&](const QString &, const QString &message) {
                         ++outcomeErrors;
                         error = message;
                     });
    QTimer::singleShot(kTimeoutMs, qApp, [&] {
        error = QStringLiteral("timed out after %1 of %2 calls completed").arg(completed).arg(options.rows);
        QCoreApplication::quit();
    });
    scheduler.start();
    QCoreApplication::exec();
    scheduler.stopAndWait(20000);
    if (!error.isEmpty())
        return fail(QStringLiteral("full cycle: %1").arg(error));
    // The last pass's summary may come after the last outcome was written.
    if (callingAt == 0 || callingAt > completedAt)
        callingAt = completedAt;

    const auto done = scalar(db,
                             QStringLiteral("SELECT count(*) FROM pending_calls WHERE workflow_state = "
                                            "'completed' AND attempt = 1"));
    if (!done)
        return fail(done.error());
    if (*done != options.rows)
        return fail(QStringLiteral("%1 of %2 calls completed (once each)").arg(*done).arg(options.rows));
    // How many calls each commit moved: a start stamps last_attempt_at and an outcome completed_at
    // with its transaction's now(), so distinct stamps count the transactions.
    const auto starts
            = scalar(db, QStringLiteral("SELECT count(DISTINCT last_attempt_at) FROM pending_calls"));
    const auto outcomes
            = scalar(db, QStringLiteral("SELECT count(DISTINCT completed_at) FROM pending_calls"));
    if (!starts || !outcomes)
        return fail(!starts ? starts.error() : outcomes.error());
    const auto perCommit = [&](qint64 commits) {
        return commits > 0 ? qRound(10.0 * double(options.rows) / double(commits)) / 10.0 : 0.0;
    };
    printJson({{QStringLiteral("rows"), options.rows},
               {QStringLiteral("batch"), config.batchSize},
               {QStringLiteral("concurrency"), config.maxConcurrentRequests},
               {QStringLiteral("passes"), passes},
               {QStringLiteral("calls_per_start_commit"), perCommit(*starts)},
               {QStringLiteral("calls_per_outcome_commit"), perCommit(*outcomes)},
               {QStringLiteral("seconds_to_calling"), double(callingAt) / 1e9},
               {QStringLiteral("seconds_to_completed"), double(completedAt) / 1e9},
               {QStringLiteral("calling_per_second"), qRound(perSecond(options.rows, callingAt))},
               {QStringLiteral("calls_per_second"), qRound(perSecond(options.rows, completedAt))}});
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const auto options = parseOptions(QCoreApplication::arguments());
    if (!options)
        return fail(options.error());
    if (options->rows <= 0)
        return fail(QStringLiteral("--rows N (N > 0) is required"));
    const auto database = ConnectionSettings::parse(options->databaseUrl);
    if (!database)
        return fail(database.error());
    const auto db = openDatabase(options->databaseUrl, QStringLiteral("bench"));
    if (!db)
        return fail(db.error());
    if (options->command == QLatin1String("db"))
        return runDatabaseOnly(*options, *database, *db);
    if (options->command == QLatin1String("full"))
        return runFullCycle(*options, *database, *db);
    return fail(QStringLiteral("usage: callops_engine_bench db|full --db URL --rows N [--batch B] "
                               "[--concurrency C]"));
}
