#include "console/OperatorIdentity.h"

#include <QTest>

#include <pwd.h>
#include <unistd.h>

using namespace callops;

// Manual actions are recorded with the name of whoever sits at the console: the system account,
// not whatever the environment claims.
class TestOperatorIdentity : public QObject
{
    Q_OBJECT

private slots:
    void isTheAccountNotTheEnvironment();
};

void TestOperatorIdentity::isTheAccountNotTheEnvironment()
{
    const passwd *account = getpwuid(geteuid());
    QVERIFY(account && account->pw_name);
    const QString real = QString::fromLocal8Bit(account->pw_name);

    qputenv("USER", "mallory");
    qputenv("LOGNAME", "mallory");
    QCOMPARE(operatorIdentity::name(), real);

    // Unset, as under some launchers: still the account, never "unknown-operator".
    qunsetenv("USER");
    qunsetenv("LOGNAME");
    qunsetenv("USERNAME");
    QCOMPARE(operatorIdentity::name(), real);
}

QTEST_GUILESS_MAIN(TestOperatorIdentity)
#include "TestOperatorIdentity.moc"
