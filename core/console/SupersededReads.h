#pragma once

#include <QHash>
#include <QMutex>
#include <QThreadPool>

#include <memory>
#include <optional>

namespace callops {

class QueryCanceller;

// Which of the console's reads are superseded, and cancelling on the server the one that is when
// it runs. A stream is one kind of answer of one asker (a table's rows, its count, the count of a
// bulk action's confirmation); each request on it carries a generation, and a newer generation
// supersedes the older ones: a request still queued is not run, a running one is cancelled so that
// the worker's thread is free for the newer one at once.
//
// Thread-safe. supersede() comes from the asker (the GUI thread) and never waits on the server:
// the cancel goes out from a thread of this object's own pool (it opens a connection). The worker
// brackets each read with start() and finish(); finish() waits for a cancel being sent for that
// read, so that no cancel meant for it reaches the server once the worker has gone on to the next
// statement (a manual action, say). Only reads started here can be cancelled.
class SupersededReads final
{
    Q_DISABLE_COPY_MOVE(SupersededReads)

public:
    SupersededReads();
    ~SupersededReads();

    // A stream of its own for one asker's answers of one kind.
    quint64 newStream();
    // Requests of `stream` older than `generation` are superseded.
    void supersede(quint64 stream, quint64 generation);
    bool isSuperseded(quint64 stream, quint64 generation) const;

    // On the worker's thread. The connection's canceller, renewed with each session (nullptr while
    // there is none: nothing is cancelled then).
    void setCanceller(std::shared_ptr<QueryCanceller> canceller);
    // A read of `stream` at `generation` starts: an id for finish(), or nothing when it is
    // superseded already and must not run.
    std::optional<quint64> start(quint64 stream, quint64 generation);
    // The read ended (answered or failed); true when a cancel was sent for it.
    bool finish(quint64 read);

private:
    void sendCancel(quint64 read);

    struct Running
    {
        quint64 read = 0; // 0: none
        quint64 stream = 0;
        quint64 generation = 0;
        bool cancelled = false;
    };

    mutable QMutex m_mutex; // held for moments only, the GUI thread takes it
    QMutex m_sending; // held while a cancel goes out, and by finish() to wait for it
    QHash<quint64, quint64> m_newest; // stream -> newest generation
    Running m_running;
    quint64 m_lastStream = 0;
    quint64 m_lastRead = 0;
    std::shared_ptr<QueryCanceller> m_canceller;
    QThreadPool m_senders; // last: destroyed first, waiting for a cancel still going out
};

} // namespace callops
