#include "ServerNotices.h"

#include "PgHandle.h"
#include "common/MessageText.h"

#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QString>

Q_LOGGING_CATEGORY(lcServer, "callops.db.server")

namespace callops {
namespace {

void logNotice(void *, const char *message)
{
    const QString text = MessageText::oneLine(QString::fromUtf8(message).simplified());
    // libpq starts each message with its severity, in the server's lc_messages language;
    // Supabase's servers speak English, and anything else is at least seen at info level.
    static const char *const kSerious[] = {"WARNING:", "ERROR:", "FATAL:", "PANIC:"};
    for (const char *severity : kSerious) {
        if (text.startsWith(QLatin1String(severity))) {
            qCWarning(lcServer).noquote() << text;
            return;
        }
    }
    static const char *const kChatter[] = {"NOTICE:", "DEBUG:", "LOG:"};
    for (const char *severity : kChatter) {
        if (text.startsWith(QLatin1String(severity))) {
            qCDebug(lcServer).noquote() << text;
            return;
        }
    }
    qCInfo(lcServer).noquote() << text;
}

} // namespace

void ServerNotices::route(const QSqlDatabase &db)
{
    if (PGconn *connection = pgHandle(db))
        PQsetNoticeProcessor(connection, logNotice, nullptr);
}

} // namespace callops
