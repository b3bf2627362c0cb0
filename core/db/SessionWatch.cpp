#include "SessionWatch.h"

#include "DatabaseConnection.h"
#include "PgHandle.h"

#include <QSqlDatabase>
#include <QTimer>

namespace callops {
namespace {

// How long a closed session may go unnoticed; a wake-up this rare costs nothing measurable idle.
constexpr int kCheckIntervalMs = 2000;

} // namespace

SessionWatch::SessionWatch(const QSqlDatabase &db, QObject *parent)
    : QObject(parent)
{
    PGconn *connection = pgHandle(db);
    if (!connection)
        return;
    m_timer = new QTimer(this);
    m_timer->setTimerType(Qt::VeryCoarseTimer);
    QObject::connect(m_timer, &QTimer::timeout, this, [this, connection] {
        if (PQstatus(connection) != CONNECTION_BAD)
            return;
        m_timer->stop();
        QString reason = QString::fromUtf8(PQerrorMessage(connection)).section(u'\n', 0, 0).trimmed();
        if (reason.isEmpty())
            reason = DatabaseConnection::closedByServer();
        emit closed(reason);
    });
    m_timer->start(kCheckIntervalMs);
}

} // namespace callops
