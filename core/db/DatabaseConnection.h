#pragma once

#include "ConnectionSettings.h"
#include "common/Result.h"

#include <QSqlDatabase>

class QSqlError;

namespace callops {

// Opens the QPSQL connections CallOps uses. A QSqlDatabase may only be used by the thread that
// made it, so each thread gets its own, named after its purpose and the thread.
class DatabaseConnection
{
public:
    // Opens (or returns the already open) connection of `purpose` for the calling thread. Every
    // session runs in UTC with CallOps' application_name.
    static Result<QSqlDatabase> open(const ConnectionSettings &settings, const QString &purpose);
    // Closes and forgets the calling thread's connection of `purpose`.
    static void close(const QString &purpose);
    // The same, for a connection whose last handle outside the registry the caller holds: the
    // handle is let go first (Qt warns of a connection removed while still in use).
    static void close(QSqlDatabase &lastHandle, const QString &purpose);
    static QString connectionName(const QString &purpose);

    // A one-line message for a failed connection: the server, what libpq said, never the password.
    static QString describeFailure(const ConnectionSettings &settings, const QSqlError &error);
    // The error of a failed statement as one line for people and logs.
    static QString describeError(const QSqlError &error);
    // What is said of a session the server closed when nothing more is known.
    static QString closedByServer();
};

} // namespace callops
