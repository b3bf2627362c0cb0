#include "ConsoleThread.h"

#include "ConsoleWorker.h"

#include <QThread>

namespace callops {

ConsoleThread::ConsoleThread(StuckRules rules)
    : m_thread(std::make_unique<QThread>())
    , m_worker(new ConsoleWorker(std::move(rules)))
{
    m_thread->setObjectName(QStringLiteral("callops-console"));
    m_worker->moveToThread(m_thread.get());
    QObject::connect(m_thread.get(), &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread->start();
}

ConsoleThread::~ConsoleThread()
{
    ConsoleWorker *worker = m_worker;
    QMetaObject::invokeMethod(
            worker, [worker] { worker->closeDatabase(); }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
}

} // namespace callops
