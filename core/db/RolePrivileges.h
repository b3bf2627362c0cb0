#pragma once

#include "common/Result.h"

#include <QList>
#include <QStringList>

class QSqlDatabase;

namespace callops {

// What this session's role may not do of what a program needs, asked of the server in one query
// (has_table_privilege, has_function_privilege): the scheduler's grants, the console's reads and
// its manual actions. What the database does not have yet is left to the schema check.
class RolePrivileges
{
public:
    struct TablePrivilege
    {
        QString table;
        QString privilege; // SELECT, INSERT, UPDATE, ...
    };
    struct Lacking
    {
        QString role; // as SQL would name it (quote_ident); empty when nothing lacks
        QList<TablePrivilege> tables;
        QStringList functions; // EXECUTE lacking on every signature of these

        bool isEmpty() const { return tables.isEmpty() && functions.isEmpty(); }
        // "UPDATE pending_calls", ..., "EXECUTE callops_record_task_result", ...
        QStringList describe() const;
    };

    static Result<Lacking> lacking(const QSqlDatabase &db, const QList<TablePrivilege> &tables,
                                   const QStringList &functions);
};

} // namespace callops
