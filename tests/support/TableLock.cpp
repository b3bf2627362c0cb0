#include "TableLock.h"

#include "TestDatabase.h"

#include <QSqlError>
#include <QSqlQuery>

namespace callops::test {

TableLock::TableLock(const TestDatabase &database, const QString &table)
    : m_db(database.connection(QStringLiteral("lock-holder")))
{
    if (!m_db.transaction()) {
        m_error = m_db.lastError().text();
        return;
    }
    // The table's name comes from the test itself, never from outside.
    QSqlQuery lock(m_db);
    if (!lock.exec(QStringLiteral("LOCK TABLE %1 IN ACCESS EXCLUSIVE MODE").arg(table))) {
        m_error = lock.lastError().text();
        m_db.rollback();
        return;
    }
    m_held = true;
}

TableLock::~TableLock()
{
    release();
}

void TableLock::release()
{
    if (m_held)
        m_db.rollback();
    m_held = false;
}

} // namespace callops::test
