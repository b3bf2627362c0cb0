#pragma once

class QSqlDatabase;

namespace callops {

// What the server says outside a statement's result (a NOTICE, a WARNING, the FATAL line of a
// session it terminates) goes to the log under callops.db.server, at the level its severity
// asks for. libpq's default prints it raw to stderr, where a journal shows an unexplained
// "FATAL:" line without time, category or priority.
class ServerNotices
{
public:
    static void route(const QSqlDatabase &db);
};

} // namespace callops
