#include "TableLock.h"

#include "TestDatabase.h"

#include <QSqlError>
#include <QSqlQuery>

namespace callops::test {
namespace {

const QString kPurpose = QStringLiteral("lock-holder");

} // namespace

TableLock::TableLock(const TestDatabase &database, const QString &table)
    : m_db(database.connection(kPurpose))
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
    // Closed on the thread that opened it: a connection left to a thread that has ended is
    // nobody's to close.
    const QString name = m_db.connectionName();
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(name);
}

void TableLock::release()
{
    if (m_held)
        m_db.rollback();
    m_held = false;
}

} // namespace callops::test
