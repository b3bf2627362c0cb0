#include "SchedulerThread.h"

#include "SchedulerEngine.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QThread>
#include <QTimer>

namespace callops {

SchedulerThread::SchedulerThread(SchedulerConfig config, QObject *parent)
    : QObject(parent)
    , m_thread(std::make_unique<QThread>())
    , m_engine(new SchedulerEngine(std::move(config)))
{
    m_thread->setObjectName(QStringLiteral("callops-scheduler"));
    m_engine->moveToThread(m_thread.get());
    QObject::connect(m_thread.get(), &QThread::finished, m_engine, &QObject::deleteLater);
    QObject::connect(m_engine, &SchedulerEngine::stopped, this, [this] {
        m_stopped = true;
        emit stopped();
    });
}

SchedulerThread::~SchedulerThread()
{
    stopAndWait(20000);
}

void SchedulerThread::start()
{
    if (m_started)
        return;
    m_started = true;
    m_thread->start();
    QMetaObject::invokeMethod(m_engine, &SchedulerEngine::start, Qt::QueuedConnection);
}

void SchedulerThread::requestStop()
{
    if (m_started && !m_stopped)
        QMetaObject::invokeMethod(m_engine, &SchedulerEngine::stop, Qt::QueuedConnection);
}

bool SchedulerThread::stopAndWait(int timeoutMs)
{
    if (!m_started) {
        if (m_engine && !m_thread->isRunning()) {
            delete m_engine;
            m_engine = nullptr;
        }
        return true;
    }
    const QDeadlineTimer deadline(timeoutMs);
    if (!m_stopped) {
        // The engine's stopped() is queued to this thread: spin a local loop until it arrives.
        QEventLoop loop;
        QObject::connect(this, &SchedulerThread::stopped, &loop, &QEventLoop::quit);
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
        requestStop();
        if (!m_stopped)
            loop.exec();
    }
    m_thread->quit();
    const bool finished = m_thread->wait(deadline);
    m_engine = nullptr; // deleted by the thread's finished signal
    return finished && m_stopped;
}

} // namespace callops
