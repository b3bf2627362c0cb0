#pragma once

#include <QSqlDatabase>
#include <QString>

namespace callops::test {

class TestDatabase;

// A session of its own holding a table in ACCESS EXCLUSIVE mode inside an open transaction, until
// release() or destruction: every statement that reads the table waits, as a long one would.
// Made and destroyed on one thread (its connection is that thread's).
class TableLock
{
public:
    TableLock(const TestDatabase &database, const QString &table);
    ~TableLock();
    TableLock(const TableLock &) = delete;
    TableLock &operator=(const TableLock &) = delete;

    bool isHeld() const { return m_held; }
    QString error() const { return m_error; }
    void release();

private:
    QSqlDatabase m_db;
    QString m_error;
    bool m_held = false;
};

} // namespace callops::test
