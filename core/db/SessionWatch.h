#pragma once

#include <QObject>

class QSqlDatabase;
class QTimer;

namespace callops {

// Says when the server has closed a session that waits on LISTEN (a restart, a failover, a
// terminated backend). QPSQL reads such a session's socket for notifications, so libpq sees the
// close at once, but QPSQL keeps quiet about it: the owner would learn of it only at its next
// statement, deaf to NOTIFY until then. Looks at libpq's own state every couple of seconds: no
// round trip, nothing sent to the server. Create it after subscribeToNotification().
class SessionWatch final : public QObject
{
    Q_OBJECT

public:
    // Watches nothing unless db is an open QPSQL connection.
    explicit SessionWatch(const QSqlDatabase &db, QObject *parent = nullptr);

signals:
    // Once per session. Connect with Qt::QueuedConnection to drop the database in the slot.
    void closed(const QString &reason);

private:
    QTimer *m_timer = nullptr;
};

} // namespace callops
