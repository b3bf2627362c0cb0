#pragma once

#include "common/Result.h"
#include "db/ConnectionSettings.h"
#include "demo/DemoSeeder.h"
#include "scheduler/SchedulerConfig.h"
#include "telephony/TelephonySimulator.h"

#include <QMap>
#include <QString>

#include <functional>
#include <memory>

namespace callops {

class EmbeddedPostgres;
class SchedulerThread;
class Settings;
class SimulatorThread;

// Everything `callops --demo` runs, in the order it needs: the private PostgreSQL cluster, the
// migrations and sample calls (prepare(), slow, off the GUI thread), then the telephony simulator
// and a scheduler engine with short demo timings (startServices(), on the thread that owns the
// event loop). shutdown() (or destruction) stops them in reverse order: the engine first, so its
// last writes still reach the database, the cluster last.
class DemoRuntime final
{
    Q_DISABLE_COPY_MOVE(DemoRuntime)

public:
    using ProgressCallback = std::function<void(const QString &message)>;

    struct Options
    {
        QString directory; // empty: EmbeddedPostgres::defaultDirectory()
        bool reset = false; // --demo-reset: throw the old demo database away first
    };

    explicit DemoRuntime(Options options);
    ~DemoRuntime();

    // The demo's engine configuration: interval 2 s, 5 calls/s, calling at any hour, IVR wait 5 s,
    // task retry after 20 s, in-flight timeout 60 s; command-line values (--interval,
    // --calls-per-second, --batch, --calling-hours, --inflight-timeout) still win.
    static SchedulerConfig schedulerConfig(const Settings &settings, const ConnectionSettings &database,
                                           const QUrl &simulatorUrl, const QString &key);
    // The simulator's odds and delays: completions, IVR menus, no answers, failed task calls and a
    // few server errors, each outcome within a few seconds.
    static TelephonySimulator::Config simulatorConfig(const ConnectionSettings &database, const QString &key);

    // Starts the cluster, migrates and seeds it. Blocks for seconds (initdb on the first run):
    // call it on a worker thread when there is a GUI. `progress` is called on that thread.
    Result<ConnectionSettings> prepare(const ProgressCallback &progress = {});
    // Starts the telephony simulator and returns the engine configuration pointing at it, for
    // whoever runs the engine (the console's scheduler panel). Needs an event loop later.
    Result<SchedulerConfig> startSimulator(const Settings &settings);
    // startSimulator() and the engine's thread, owned here (headless); the caller connects to
    // scheduler()->engine()'s signals and then calls scheduler()->start().
    Status startServices(const Settings &settings);
    // Stops the engine (if owned here), the simulator, then the cluster.
    void shutdown();

    ConnectionSettings database() const { return m_database; }
    QString directory() const;
    const DemoSeedSummary &seedSummary() const { return m_seedSummary; }
    SchedulerThread *scheduler() const { return m_scheduler.get(); }
    SimulatorThread *simulator() const { return m_simulator.get(); }
    // Calls per workflow state, read on the calling thread's own connection.
    Result<QMap<QString, int>> countsPerState() const;

private:
    Options m_options;
    std::unique_ptr<EmbeddedPostgres> m_cluster;
    std::unique_ptr<SimulatorThread> m_simulator;
    std::unique_ptr<SchedulerThread> m_scheduler;
    ConnectionSettings m_database;
    DemoSeedSummary m_seedSummary;
};

} // namespace callops
