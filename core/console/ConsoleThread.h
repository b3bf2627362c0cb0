#pragma once

#include "StuckRules.h"

#include <QtGlobal>

#include <memory>

class QThread;

namespace callops {

class ConsoleWorker;

// Owns the console's worker and the thread it runs on: made together, and on destruction the
// worker closes its connection on its own thread before the thread is quit and waited for. A
// statement the server does not answer within a few seconds does not hold the destruction: its
// session is cut (ConsoleWorker::cutter).
class ConsoleThread final
{
    Q_DISABLE_COPY_MOVE(ConsoleThread)

public:
    explicit ConsoleThread(StuckRules rules = StuckRules::defaults());
    ~ConsoleThread();

    ConsoleWorker *worker() const { return m_worker; }

private:
    std::unique_ptr<QThread> m_thread;
    ConsoleWorker *m_worker = nullptr;
};

} // namespace callops
