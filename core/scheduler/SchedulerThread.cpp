#include "SchedulerThread.h"

#include "SchedulerEngine.h"
#include "db/ConnectionCutter.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QLoggingCategory>
#include <QThread>
#include <QTimer>

Q_DECLARE_LOGGING_CATEGORY(lcEngine)

namespace callops {

namespace {

// The engine's statements take milliseconds, and one waiting for a lock gives up after its lock
// timeout (and says so in the journal); an engine that has not taken a stop request after both is
// waiting on a server that does not answer. Well within systemd's TimeoutStopSec (60 s).
constexpr int kUnansweredStopMs = SchedulerEngine::kLockTimeoutSeconds * 1000 + 5000;

} // namespace

SchedulerThread::SchedulerThread(SchedulerConfig config, QObject *parent)
    : QObject(parent)
    , m_thread(std::make_unique<QThread>())
    , m_engine(new SchedulerEngine(std::move(config)))
    , m_cutter(m_engine->cutter())
    , m_stopTaken(std::make_shared<std::atomic<bool>>(false))
{
    m_thread->setObjectName(QStringLiteral("callops-scheduler"));
    m_unansweredStop = new QTimer(this);
    m_unansweredStop->setSingleShot(true);
    m_unansweredStop->setInterval(kUnansweredStopMs);
    QObject::connect(m_unansweredStop, &QTimer::timeout, this, [this] {
        // The statement fails at once, the engine counts the connection lost and takes the stop
        // request next; its claims are left to expire.
        if (!m_stopped && !m_stopTaken->load() && m_cutter->cut())
            qCWarning(lcEngine) << "the database has not answered the scheduler for" << kUnansweredStopMs
                                << "ms; its session is cut so that it can stop";
    });
    m_engine->moveToThread(m_thread.get());
    QObject::connect(m_thread.get(), &QThread::finished, m_engine, &QObject::deleteLater);
    QObject::connect(m_engine, &SchedulerEngine::stopped, this, [this] {
        m_stopped = true;
        emit stopped();
    });
}

SchedulerThread::~SchedulerThread()
{
    if (!stopAndWait(20000) && m_thread->isRunning()) {
        // Destroying a running QThread aborts the process; at exit the system ends the thread.
        qCCritical(lcEngine) << "the scheduler's thread did not end; leaving it to the process's exit";
        (void)m_thread.release();
    }
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
    if (!m_started || m_stopped || !m_engine)
        return;
    QMetaObject::invokeMethod(
            m_engine,
            [engine = m_engine, taken = m_stopTaken] {
                taken->store(true);
                engine->stop();
            },
            Qt::QueuedConnection);
    if (!m_unansweredStop->isActive() && !m_stopTaken->load())
        m_unansweredStop->start();
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
