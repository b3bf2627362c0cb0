#include "LockRace.h"

#include "TestDatabase.h"

#include <QElapsedTimer>
#include <QTest>

namespace callops::test {

std::thread LockRace::onOwnConnection(const TestDatabase &database, const QString &purpose,
                                      std::function<void(const QSqlDatabase &)> work)
{
    return std::thread([&database, purpose, work = std::move(work)] {
        QString name;
        {
            const QSqlDatabase db = database.connection(purpose);
            name = db.connectionName();
            work(db);
        }
        QSqlDatabase::removeDatabase(name);
    });
}

int LockRace::lockWaits(const QSqlDatabase &watch)
{
    return scalar(watch,
                  "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                  "AND wait_event_type = 'Lock'")
            .toInt();
}

bool LockRace::waitForLockWait(const QSqlDatabase &watch, int sessions)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 10000) {
        if (lockWaits(watch) >= sessions)
            return true;
        QTest::qWait(20);
    }
    return false;
}

} // namespace callops::test
