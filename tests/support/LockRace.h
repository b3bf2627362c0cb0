#pragma once

#include <QSqlDatabase>
#include <QString>

#include <functional>
#include <thread>

namespace callops::test {

class TestDatabase;

// What the race tests need to make one interleaving of two sessions happen every time: a session
// of its own on a thread of its own (QSqlDatabase is per thread), and a wait until some session of
// the database waits for a lock, i.e. the other side has reached the row and blocks on it.
class LockRace
{
public:
    // Runs `work` on a new thread with a connection of its own, closed when the work is done.
    static std::thread onOwnConnection(const TestDatabase &database, const QString &purpose,
                                       std::function<void(const QSqlDatabase &)> work);
    // How many sessions of watch's database wait for a lock now.
    static int lockWaits(const QSqlDatabase &watch);
    // True once at least `sessions` sessions of watch's database wait for a lock (within 10 s).
    static bool waitForLockWait(const QSqlDatabase &watch, int sessions = 1);
};

} // namespace callops::test
