#include "SupersededReads.h"

#include "db/QueryCanceller.h"

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcConsole)

namespace callops {

SupersededReads::SupersededReads()
{
    m_senders.setObjectName(QStringLiteral("callops-console-cancel"));
    // One cancel at a time is all there is: only one read runs.
    m_senders.setMaxThreadCount(1);
}

SupersededReads::~SupersededReads()
{
    m_senders.waitForDone();
}

quint64 SupersededReads::newStream()
{
    QMutexLocker lock(&m_mutex);
    return ++m_lastStream;
}

void SupersededReads::supersede(quint64 stream, quint64 generation)
{
    QMutexLocker lock(&m_mutex);
    quint64 &newest = m_newest[stream];
    newest = std::max(newest, generation);
    if (m_running.read == 0 || m_running.stream != stream || m_running.generation >= newest
        || m_running.cancelled || !m_canceller)
        return;
    m_running.cancelled = true;
    const quint64 read = m_running.read;
    m_senders.start([this, read] { sendCancel(read); });
}

bool SupersededReads::isSuperseded(quint64 stream, quint64 generation) const
{
    QMutexLocker lock(&m_mutex);
    return generation < m_newest.value(stream, 0);
}

void SupersededReads::setCanceller(std::shared_ptr<QueryCanceller> canceller)
{
    QMutexLocker lock(&m_mutex);
    m_canceller = std::move(canceller);
}

std::optional<quint64> SupersededReads::start(quint64 stream, quint64 generation)
{
    QMutexLocker lock(&m_mutex);
    // Checked under the lock that supersede() takes: a newer generation either is seen here or
    // finds this read running.
    if (generation < m_newest.value(stream, 0))
        return std::nullopt;
    m_running = Running{++m_lastRead, stream, generation, false};
    return m_running.read;
}

bool SupersededReads::finish(quint64 read)
{
    // After a cancel on its way out: the worker's next statement must not be the one it hits.
    QMutexLocker sending(&m_sending);
    QMutexLocker lock(&m_mutex);
    if (m_running.read != read)
        return false;
    const bool cancelled = m_running.cancelled;
    m_running = Running{};
    return cancelled;
}

void SupersededReads::sendCancel(quint64 read)
{
    QMutexLocker sending(&m_sending);
    std::shared_ptr<QueryCanceller> canceller;
    {
        QMutexLocker lock(&m_mutex);
        // Ended before its cancel got here: nothing to cancel, and the session may be running
        // something else by now.
        if (m_running.read != read)
            return;
        canceller = m_canceller;
    }
    if (!canceller)
        return;
    if (const Status sent = canceller->cancel(); !sent)
        qCInfo(lcConsole) << "could not cancel a superseded read:" << sent.error();
    else
        qCDebug(lcConsole) << "cancelled superseded read" << read;
}

} // namespace callops
