#pragma once

#include <QString>

#include <sys/types.h>

namespace callops::test {

class TestDatabase;

// The server process of one session, stopped in its tracks (SIGSTOP): the session's statements are
// never answered, while the kernel still holds its connection, so no timeout of TCP or libpq ends
// them. That is how a hung server, or a network path that drops everything once the connection
// is made, looks from the client. The process goes on (SIGCONT) on resume() or destruction.
class StoppedBackend
{
public:
    // The session of `database` whose application_name is `applicationName` (the only one).
    StoppedBackend(const TestDatabase &database, const QString &applicationName);
    ~StoppedBackend();
    StoppedBackend(const StoppedBackend &) = delete;
    StoppedBackend &operator=(const StoppedBackend &) = delete;

    bool isStopped() const { return m_pid > 0 && m_error.isEmpty(); }
    QString error() const { return m_error; }
    void resume();
    // Resumes the process and waits until its session has ended (its client gone, it exits).
    bool endsOnceResumed(int timeoutMs = 20000);

private:
    const TestDatabase &m_database;
    pid_t m_pid = 0;
    QString m_error;
};

} // namespace callops::test
