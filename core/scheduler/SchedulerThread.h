#pragma once

#include "SchedulerConfig.h"

#include <QObject>

#include <atomic>
#include <memory>

class QThread;
class QTimer;

namespace callops {

class ConnectionCutter;
class SchedulerEngine;

// Owns a SchedulerEngine and the worker thread it lives on. start() moves the engine there and
// starts it; destruction stops the engine gracefully (bounded wait), quits the thread and waits.
// Talk to the engine only through queued calls and its signals. An engine that has not taken a
// stop request within seconds waits on a database that does not answer: its session is cut, so
// that it stops (SIGTERM, the console closed) rather than hold the process for ever.
class SchedulerThread final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SchedulerThread)

public:
    explicit SchedulerThread(SchedulerConfig config, QObject *parent = nullptr);
    ~SchedulerThread() override;

    SchedulerEngine *engine() const { return m_engine; }
    void start();
    // Asks the engine to stop; stopped() follows once it has (requests finished, claims released).
    // On the thread that owns this object, whose event loop must run for stopped() to come.
    void requestStop();
    // Stops and waits at most `timeoutMs` for the engine and the thread.
    bool stopAndWait(int timeoutMs);
    bool isStopped() const { return m_stopped; }

signals:
    void stopped();

private:
    std::unique_ptr<QThread> m_thread;
    SchedulerEngine *m_engine = nullptr;
    const std::shared_ptr<ConnectionCutter> m_cutter; // the engine's, kept past its deletion
    const std::shared_ptr<std::atomic<bool>> m_stopTaken; // set on the engine's thread
    QTimer *m_unansweredStop = nullptr;
    bool m_started = false;
    bool m_stopped = false;
};

} // namespace callops
