#include "PgHandle.h"

#include <QSqlDatabase>
#include <QSqlDriver>
#include <QVariant>

namespace callops {

PGconn *pgHandle(const QSqlDatabase &db)
{
    if (!db.isOpen() || !db.driver())
        return nullptr;
    const QVariant handle = db.driver()->handle();
    // QPSQL hands out its PGconn* this way; Qt 6 names the type after the struct behind the
    // typedef (QSqlDriver::handle()'s documentation still says "PGconn*").
    const char *type = handle.isValid() ? handle.typeName() : nullptr;
    if (!type || (qstrcmp(type, "pg_conn*") != 0 && qstrcmp(type, "PGconn*") != 0))
        return nullptr;
    return *static_cast<PGconn *const *>(handle.constData());
}

} // namespace callops
