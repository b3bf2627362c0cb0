#pragma once

// Only for .cpp files of core/db: libpq's header stays out of every other header.
#include <libpq-fe.h>

class QSqlDatabase;

namespace callops {

// The libpq connection behind an open QPSQL database, or nullptr (another driver, closed).
PGconn *pgHandle(const QSqlDatabase &db);

} // namespace callops
