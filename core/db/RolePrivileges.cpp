#include "RolePrivileges.h"

#include "DatabaseConnection.h"
#include "PgArray.h"
#include "SqlResource.h"

#include <QSqlError>
#include <QSqlQuery>

namespace callops {

QStringList RolePrivileges::Lacking::describe() const
{
    QStringList described;
    for (const TablePrivilege &table : tables)
        described.append(table.privilege + u' ' + table.table);
    for (const QString &function : functions)
        described.append(QStringLiteral("EXECUTE ") + function);
    return described;
}

Result<RolePrivileges::Lacking> RolePrivileges::lacking(const QSqlDatabase &db,
                                                        const QList<TablePrivilege> &tables,
                                                        const QStringList &functions)
{
    QStringList names;
    QStringList privileges;
    for (const TablePrivilege &table : tables) {
        names.append(table.table);
        privileges.append(table.privilege);
    }
    QSqlQuery query(db);
    query.prepare(SqlResource::text(QStringLiteral("session/missing_privileges.sql")));
    query.bindValue(QStringLiteral(":tables"), PgArray::literal(names));
    query.bindValue(QStringLiteral(":privileges"), PgArray::literal(privileges));
    query.bindValue(QStringLiteral(":functions"), PgArray::literal(functions));
    if (!query.exec())
        return Error{DatabaseConnection::describeError(query.lastError())};
    Lacking lacking;
    while (query.next()) {
        lacking.role = query.value(0).toString();
        if (query.value(1).toInt() == 1)
            lacking.tables.append({query.value(2).toString(), query.value(3).toString()});
        else
            lacking.functions.append(query.value(2).toString());
    }
    return lacking;
}

} // namespace callops
