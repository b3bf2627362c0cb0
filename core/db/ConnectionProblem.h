#pragma once

#include <QMetaType>

namespace callops {

// Why the console has no usable connection: each asks the dispatcher for something else (wait, fix
// the login, have the database migrated, log in as a dispatcher).
enum class ConnectionProblem {
    None, // connected
    Unreachable, // did not get through, or lost: tried again by itself
    Refused, // the server refused the login (ConnectionFailure::isRefusal): not tried again by itself
    NotMigrated, // connected to a database without (all of) this CallOps' tables: looked at again
    NotPermitted, // connected as a role that may not read the calls: looked at again
};

} // namespace callops

Q_DECLARE_METATYPE(callops::ConnectionProblem)
