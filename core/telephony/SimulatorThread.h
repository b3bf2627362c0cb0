#pragma once

#include "TelephonySimulator.h"

#include <QThread>

namespace callops {

// Runs a TelephonySimulator on a thread of its own, so that its database writes never happen on
// the GUI thread. Owns both: destruction stops the simulator on its thread, quits and waits.
//
//     SimulatorThread simulator(config);
//     if (const Status started = simulator.start(); !started) ... started.error() ...
//     ... point SUPABASE_URL at http://127.0.0.1:<simulator.port()> ...
class SimulatorThread final
{
    Q_DISABLE_COPY_MOVE(SimulatorThread)

public:
    explicit SimulatorThread(TelephonySimulator::Config config);
    ~SimulatorThread();

    // Starts the thread and the simulator on it, and waits until it listens (or failed). Opening
    // the database is part of that wait: quick for a local cluster, up to its connect timeout
    // for an unreachable one.
    Status start();
    quint16 port() const { return m_simulator->port(); }
    // For the thread-safe getters and for connecting to its signals (they arrive queued).
    TelephonySimulator *simulator() const { return m_simulator; }

private:
    QThread m_thread;
    TelephonySimulator *m_simulator = nullptr; // lives on m_thread; deleted when it finishes
};

} // namespace callops
