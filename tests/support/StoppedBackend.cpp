#include "StoppedBackend.h"

#include "TestDatabase.h"

#include <QTest>

#include <cerrno>
#include <csignal>
#include <cstring>

namespace callops::test {
namespace {

const QStringList kValuesOnly{QStringLiteral("-tA")};

} // namespace

StoppedBackend::StoppedBackend(const TestDatabase &database, const QString &applicationName)
    : m_database(database)
{
    QString output;
    // The name comes from the test itself, never from outside.
    // The cluster is shared by the tests running at the same time: this test's database only.
    if (database.psql(QStringLiteral("SELECT pid FROM pg_stat_activity "
                                     "WHERE datname = current_database() AND application_name = '%1'")
                              .arg(applicationName),
                      &output, kValuesOnly)
        != 0) {
        m_error = output;
        return;
    }
    bool isPid = false;
    m_pid = pid_t(output.trimmed().toInt(&isPid));
    if (!isPid || m_pid <= 0) {
        m_error = QStringLiteral("no single session named %1: %2").arg(applicationName, output);
        m_pid = 0;
        return;
    }
    if (::kill(m_pid, SIGSTOP) != 0)
        m_error = QString::fromLocal8Bit(std::strerror(errno));
}

StoppedBackend::~StoppedBackend()
{
    resume();
}

void StoppedBackend::resume()
{
    if (m_pid > 0)
        ::kill(m_pid, SIGCONT);
}

bool StoppedBackend::endsOnceResumed(int timeoutMs)
{
    resume();
    const QString query = QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE pid = %1").arg(m_pid);
    return QTest::qWaitFor(
            [&] {
                QString output;
                return m_database.psql(query, &output, kValuesOnly) == 0
                        && output.trimmed() == QLatin1String("0");
            },
            timeoutMs);
}

} // namespace callops::test
