#pragma once

#include <QList>
#include <QObject>

class QSocketNotifier;

namespace callops {

// Turns SIGTERM / SIGINT (or any given signals) into a Qt signal delivered in the event loop, by
// the self-pipe trick: the handler only writes the signal number to a socket, which is all a
// signal handler may safely do. One watcher per process.
class UnixSignalWatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UnixSignalWatcher)

public:
    explicit UnixSignalWatcher(const QList<int> &signalNumbers, QObject *parent = nullptr);
    ~UnixSignalWatcher() override;

signals:
    void signalReceived(int signalNumber);

private:
    void readSignal();

    QSocketNotifier *m_notifier = nullptr;
    QList<int> m_signals;
};

} // namespace callops
