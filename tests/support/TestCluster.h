#pragma once

#include "common/Result.h"
#include "db/ConnectionSettings.h"

#include <QProcessEnvironment>
#include <QString>

namespace callops::test {

// The throwaway PostgreSQL cluster ctest's `postgres` fixture started (tests/support/
// pg_test_cluster.sh). Its address and superuser password are in the file CALLOPS_TEST_PGENV names.
class TestCluster
{
public:
    static Result<TestCluster> fromEnvironment();
    // A cluster the script started for one test alone, described in the file it wrote.
    static Result<TestCluster> fromFile(const QString &path);

    // The superuser on the given database ("postgres" by default).
    ConnectionSettings superuser(const QString &database = QStringLiteral("postgres")) const;
    int port() const { return m_port; }
    QString password() const { return m_password; }
    QString binDir() const { return m_binDir; }
    QString dataDir() const { return m_dataDir; }
    QString psqlPath() const;
    // How many logins as `user` the server refused for a wrong password, from its log: what a
    // fail2ban watching the server would count.
    int failedLogins(const QString &user) const;
    // An environment for child processes (psql, callops) that can log in without a prompt.
    QProcessEnvironment processEnvironment() const;

private:
    QString m_host;
    int m_port = 0;
    QString m_user;
    QString m_password;
    QString m_binDir;
    QString m_dataDir;
};

} // namespace callops::test
