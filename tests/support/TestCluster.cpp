#include "TestCluster.h"

#include <QFile>

namespace callops::test {

Result<TestCluster> TestCluster::fromEnvironment()
{
    const QString path = qEnvironmentVariable("CALLOPS_TEST_PGENV");
    if (path.isEmpty())
        return Error{QStringLiteral("CALLOPS_TEST_PGENV is not set: run the database tests through ctest, "
                                    "whose postgres fixture starts the test cluster")};
    return fromFile(path);
}

Result<TestCluster> TestCluster::fromFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return Error{
                QStringLiteral("The test cluster's file %1 is missing: the postgres fixture did not start")
                        .arg(path)};
    TestCluster cluster;
    while (!file.atEnd()) {
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        const QString key = line.section(u'=', 0, 0);
        const QString value = line.section(u'=', 1);
        if (key == u"CALLOPS_TEST_PGHOST")
            cluster.m_host = value;
        else if (key == u"CALLOPS_TEST_PGPORT")
            cluster.m_port = value.toInt();
        else if (key == u"CALLOPS_TEST_PGUSER")
            cluster.m_user = value;
        else if (key == u"CALLOPS_TEST_PGPASSWORD")
            cluster.m_password = value;
        else if (key == u"CALLOPS_TEST_PGBIN")
            cluster.m_binDir = value;
        else if (key == u"CALLOPS_TEST_PGDATA")
            cluster.m_dataDir = value;
    }
    if (cluster.m_port <= 0)
        return Error{QStringLiteral("The test cluster's file %1 names no port").arg(path)};
    return cluster;
}

ConnectionSettings TestCluster::superuser(const QString &database) const
{
    // The generated password is alphanumeric; quoting keeps the keyword string safe regardless.
    const QString text = QStringLiteral("host=%1 port=%2 user=%3 dbname=%4 password='%5' sslmode=disable")
                                 .arg(m_host)
                                 .arg(m_port)
                                 .arg(m_user, database, m_password);
    return ConnectionSettings::parse(text).value();
}

QString TestCluster::psqlPath() const
{
    return m_binDir + QStringLiteral("/psql");
}

int TestCluster::failedLogins(const QString &user) const
{
    QFile log(m_dataDir + QStringLiteral("/server.log"));
    if (!log.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray line
            = QStringLiteral("password authentication failed for user \"%1\"").arg(user).toUtf8();
    return int(log.readAll().count(line));
}

QProcessEnvironment TestCluster::processEnvironment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PGPASSWORD"), m_password);
    return env;
}

} // namespace callops::test
