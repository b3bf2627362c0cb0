#include "ConsoleThread.h"

#include "ConsoleWorker.h"
#include "db/ConnectionCutter.h"

#include <QDeadlineTimer>
#include <QLoggingCategory>
#include <QThread>

Q_DECLARE_LOGGING_CATEGORY(lcConsole)

namespace callops {

namespace {

// How long closing waits for the statement the worker runs before it cuts the session. A read
// answers in well under a second at a million calls; the window asks before it closes under a
// manual action (MainWindow::closeEvent), so what is still waiting after this is a server that
// does not answer.
constexpr int kCloseGraceMs = 5000;

} // namespace

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
    // Held here: the worker is deleted as its thread ends, which may be while the wait below gives up.
    const std::shared_ptr<ConnectionCutter> cutter = worker->cutter();
    // Requests still queued behind the close find no session and open none.
    worker->beginClosing();
    QMetaObject::invokeMethod(
            worker,
            [worker] {
                worker->closeDatabase();
                QThread::currentThread()->quit();
            },
            Qt::QueuedConnection);
    if (!m_thread->wait(QDeadlineTimer(kCloseGraceMs))) {
        // A server that does not answer (a network path gone, a server stopped) would hold the
        // worker, and the program's exit with it, until TCP gives up or for ever.
        if (cutter->cut())
            qCWarning(lcConsole) << "the database has not answered the console for" << kCloseGraceMs
                                 << "ms; its session is cut";
        m_thread->wait();
    }
}

} // namespace callops
