#pragma once

#include "SchedulerConfig.h"

#include <QObject>

#include <memory>

class QThread;

namespace callops {

class SchedulerEngine;

// Owns a SchedulerEngine and the worker thread it lives on. start() moves the engine there and
// starts it; destruction stops the engine gracefully (bounded wait), quits the thread and waits.
// Talk to the engine only through queued calls and its signals.
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
    void requestStop();
    // Stops and waits at most `timeoutMs` for the engine and the thread.
    bool stopAndWait(int timeoutMs);
    bool isStopped() const { return m_stopped; }

signals:
    void stopped();

private:
    std::unique_ptr<QThread> m_thread;
    SchedulerEngine *m_engine = nullptr;
    bool m_started = false;
    bool m_stopped = false;
};

} // namespace callops
