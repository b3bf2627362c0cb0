#include "config/Settings.h"

#include <QTemporaryDir>
#include <QTest>

using namespace callops;

class TestSettings : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void precedence();
    void defaultsFollowTheGuide();
    void serviceKeyNeverGoesToTheFile();

private:
    QTemporaryDir m_dir;
};

void TestSettings::init()
{
    qunsetenv("CALLOPS_BATCH_SIZE");
    qunsetenv("SUPABASE_SERVICE_ROLE_KEY");
}

void TestSettings::precedence()
{
    Settings settings(m_dir.filePath("precedence.ini"));
    QCOMPARE(settings.integer(Settings::Key::BatchSize), 50);
    QCOMPARE(settings.source(Settings::Key::BatchSize), Settings::Source::Default);

    QVERIFY(settings.setFileValue(Settings::Key::BatchSize, 20));
    QCOMPARE(settings.integer(Settings::Key::BatchSize), 20);
    QCOMPARE(settings.source(Settings::Key::BatchSize), Settings::Source::File);

    qputenv("CALLOPS_BATCH_SIZE", "30");
    QCOMPARE(settings.integer(Settings::Key::BatchSize), 30);
    QCOMPARE(settings.source(Settings::Key::BatchSize), Settings::Source::Environment);

    settings.setCommandLineValue(Settings::Key::BatchSize, 40);
    QCOMPARE(settings.integer(Settings::Key::BatchSize), 40);
    QCOMPARE(settings.source(Settings::Key::BatchSize), Settings::Source::CommandLine);
    qunsetenv("CALLOPS_BATCH_SIZE");
}

void TestSettings::defaultsFollowTheGuide()
{
    Settings settings(m_dir.filePath("defaults.ini"));
    QCOMPARE(settings.integer(Settings::Key::IvrWaitSeconds), 30);
    QCOMPARE(settings.integer(Settings::Key::TaskRetryDelaySeconds), 30 * 60);
    QCOMPARE(settings.integer(Settings::Key::InflightTimeoutSeconds), 600);
    QCOMPARE(settings.integer(Settings::Key::IntervalSeconds), 30);
    QCOMPARE(settings.number(Settings::Key::CallsPerSecond), 1.0);
    QCOMPARE(settings.string(Settings::Key::CallingHours), QStringLiteral("mon-fri 08:00-17:00"));
    QCOMPARE(settings.string(Settings::Key::DefaultRegion), QStringLiteral("US"));
}

void TestSettings::serviceKeyNeverGoesToTheFile()
{
    const QString path = m_dir.filePath("secret.ini");
    {
        Settings settings(path);
        QVERIFY(!settings.setFileValue(Settings::Key::ServiceRoleKey, "sb_secret_abcdef"));
        qputenv("SUPABASE_SERVICE_ROLE_KEY", "sb_secret_abcdef");
        QCOMPARE(settings.string(Settings::Key::ServiceRoleKey), QStringLiteral("sb_secret_abcdef"));
        QVERIFY(settings.setFileValue(Settings::Key::SupabaseUrl, "http://127.0.0.1:1"));
    }
    qunsetenv("SUPABASE_SERVICE_ROLE_KEY");
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray contents = file.readAll();
    QVERIFY(contents.contains("127.0.0.1"));
    QVERIFY(!contents.contains("sb_secret"));
}

QTEST_GUILESS_MAIN(TestSettings)
#include "TestSettings.moc"
