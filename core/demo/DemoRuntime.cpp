#include "DemoRuntime.h"

#include "config/Settings.h"
#include "db/DatabaseConnection.h"
#include "db/Migrator.h"
#include "demo/EmbeddedPostgres.h"
#include "scheduler/SchedulerThread.h"
#include "telephony/SimulatorThread.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>

Q_LOGGING_CATEGORY(lcDemo, "callops.demo")

namespace callops {
namespace {

// Text::tr, not a free tr(): lupdate files a free function's strings under the enclosing
// namespace, so they would never match the context they are looked up in.
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(DemoRuntime)
};

constexpr int kStopWaitMs = 20'000;

} // namespace

DemoRuntime::DemoRuntime(Options options)
    : m_options(std::move(options))
{
    if (m_options.directory.isEmpty())
        m_options.directory = EmbeddedPostgres::defaultDirectory();
    m_cluster = std::make_unique<EmbeddedPostgres>(m_options.directory);
}

DemoRuntime::~DemoRuntime()
{
    shutdown();
}

QString DemoRuntime::directory() const
{
    return m_cluster->directory();
}

SchedulerConfig DemoRuntime::schedulerConfig(const Settings &settings, const ConnectionSettings &database,
                                             const QUrl &simulatorUrl, const QString &key)
{
    using K = Settings::Key;
    SchedulerConfig config;
    config.database = database;
    config.supabaseUrl = simulatorUrl;
    config.serviceKey = key;
    config.schedulerId = QStringLiteral("demo-scheduler");
    config.batchSize = 50;
    config.intervalSeconds = 2;
    config.callsPerSecond = 5;
    config.callingHours = QStringLiteral("mon-sun 00:00-24:00"); // the demo works at any hour
    config.ivrWaitSeconds = 5;
    config.inflightTimeoutSeconds = 60;
    config.leaseSeconds = 30;
    config.busyRetrySeconds = 3;
    config.httpTimeoutMs = 5000;
    config.retry = RetryPolicy::Config{5, 30, 0.2, 20};
    const auto fromCommandLine = [&settings](K key) {
        return settings.source(key) == Settings::Source::CommandLine;
    };
    if (fromCommandLine(K::BatchSize))
        config.batchSize = settings.integer(K::BatchSize);
    if (fromCommandLine(K::IntervalSeconds))
        config.intervalSeconds = settings.integer(K::IntervalSeconds);
    if (fromCommandLine(K::CallsPerSecond))
        config.callsPerSecond = settings.number(K::CallsPerSecond);
    if (fromCommandLine(K::CallingHours))
        config.callingHours = settings.string(K::CallingHours);
    if (fromCommandLine(K::InflightTimeoutSeconds))
        config.inflightTimeoutSeconds = settings.integer(K::InflightTimeoutSeconds);
    if (fromCommandLine(K::DefaultRegion))
        config.defaultRegion = settings.string(K::DefaultRegion).trimmed().toUpper();
    if (fromCommandLine(K::DefaultTimeZone))
        config.defaultTimeZone = settings.string(K::DefaultTimeZone).trimmed();
    return config;
}

TelephonySimulator::Config DemoRuntime::simulatorConfig(const ConnectionSettings &database,
                                                        const QString &key)
{
    TelephonySimulator::Config config;
    config.expectedKey = key;
    config.database = database;
    config.timings.ivrWaitSeconds = 5;
    config.timings.taskRetryDelaySeconds = 20;
    config.timings.backoffBaseSeconds = 5;
    config.timings.backoffCapSeconds = 30;
    config.seed = QRandomGenerator::global()->generate();
    config.outcomes.human = 0.45;
    config.outcomes.ivrOnly = 0.2;
    config.outcomes.ivrThenHuman = 0.15;
    config.outcomes.noAnswer = 0.2;
    config.outcomes.taskSuccess = 0.6;
    config.outcomes.minDelayMs = 300;
    config.outcomes.maxDelayMs = 3000;
    // A few transient server errors (retried with backoff) and permanent refusals (failed).
    config.faults.serverError = 0.03;
    config.faults.clientError = 0.01;
    config.faults.clientErrorStatus = 422;
    return config;
}

Result<ConnectionSettings> DemoRuntime::prepare(const ProgressCallback &progress)
{
    m_cluster->setProgressCallback(progress);
    const auto say = [&progress](const QString &message) {
        qCInfo(lcDemo).noquote() << message;
        if (progress)
            progress(message);
    };
    if (m_options.reset) {
        if (const Status reset = m_cluster->reset(); !reset)
            return Error{reset.error()};
    }
    const auto database = m_cluster->start();
    if (!database)
        return Error{database.error()};
    m_database = *database;

    const QString purpose = QStringLiteral("demo-prepare");
    Status outcome;
    {
        const auto db = DatabaseConnection::open(m_database, purpose);
        if (!db) {
            outcome = Error{db.error()};
        } else {
            say(Text::tr("Applying the database migrations…"));
            Migrator migrator(*db);
            const auto applied = migrator.migrate();
            if (!applied) {
                outcome = Error{applied.error()};
            } else {
                say(Text::tr("Adding the sample calls…"));
                const auto seeded = DemoSeeder(*db).seed();
                if (!seeded) {
                    outcome = Error{seeded.error()};
                } else {
                    m_seedSummary = *seeded;
                    if (!seeded->skipped)
                        say(Text::tr("Added %1 sample calls.").arg(seeded->calls));
                    else if (seeded->toppedUp > 0)
                        say(Text::tr("Every call of the previous demo run is done: added %n new call(s) "
                                     "(--demo-reset starts over).",
                                     nullptr, seeded->toppedUp));
                    else
                        say(Text::tr(
                                "Keeping the calls of the previous demo run (--demo-reset starts over)."));
                }
            }
        }
    }
    DatabaseConnection::close(purpose);
    if (!outcome)
        return Error{outcome.error()};
    return m_database;
}

Result<SchedulerConfig> DemoRuntime::startSimulator(const Settings &settings)
{
    if (!m_cluster->isRunning())
        return Error{Text::tr("The demo database is not running.")};
    const QString key = QStringLiteral("demo-key-%1")
                                .arg(QRandomGenerator::system()->generate64(), 16, 16, QLatin1Char('0'));
    m_simulator = std::make_unique<SimulatorThread>(simulatorConfig(m_database, key));
    if (const Status started = m_simulator->start(); !started)
        return Error{Text::tr("The telephony simulator did not start: %1").arg(started.error())};
    const QUrl url(QStringLiteral("http://127.0.0.1:%1").arg(m_simulator->port()));
    qCInfo(lcDemo).noquote() << "telephony simulator on" << url.toString();
    const SchedulerConfig config = schedulerConfig(settings, m_database, url, key);
    if (const Status valid = config.validate(); !valid)
        return Error{valid.error()};
    return config;
}

Status DemoRuntime::startServices(const Settings &settings)
{
    const auto config = startSimulator(settings);
    if (!config)
        return Error{config.error()};
    m_scheduler = std::make_unique<SchedulerThread>(*config);
    return Status::success();
}

void DemoRuntime::shutdown()
{
    if (m_scheduler) {
        m_scheduler->stopAndWait(kStopWaitMs);
        m_scheduler.reset();
    }
    m_simulator.reset();
    DatabaseConnection::close(QStringLiteral("demo-status"));
    if (m_cluster && m_cluster->isRunning()) {
        if (const Status stopped = m_cluster->stop(); !stopped)
            qCWarning(lcDemo).noquote() << stopped.error();
    }
}

Result<QMap<QString, int>> DemoRuntime::countsPerState() const
{
    const auto db = DatabaseConnection::open(m_database, QStringLiteral("demo-status"));
    if (!db)
        return Error{db.error()};
    QSqlQuery query(*db);
    if (!query.exec(QStringLiteral("SELECT workflow_state, count(*) FROM pending_calls GROUP BY 1")))
        return Error{DatabaseConnection::describeError(query.lastError())};
    QMap<QString, int> counts;
    while (query.next())
        counts.insert(query.value(0).toString(), query.value(1).toInt());
    return counts;
}

} // namespace callops
