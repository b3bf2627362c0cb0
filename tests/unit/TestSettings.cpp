#include "config/Settings.h"
#include "scheduler/SchedulerConfig.h"

#include <QFile>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace callops;

class TestSettings : public QObject
{
    Q_OBJECT

private slots:
    void misspelledVariablesAreNamed();
    void init();
    void precedence();
    void defaultsFollowTheGuide();
    void serviceKeyNeverGoesToTheFile();
    void secondsHaveSaneBounds_data();
    void secondsHaveSaneBounds();
    void messagesNameTheSettingOnce();
    void malformedFileIsReported();
    void hugeHttpTimeoutDoesNotWrap();
    void inflightTimeoutOutlastsTheHttpTimeout();

private:
    static void unsetAll();

    QTemporaryDir m_dir;
};

namespace {

const char *const kVariables[] = {"CALLOPS_BATCH_SIZE",
                                  "SUPABASE_SERVICE_ROLE_KEY",
                                  "SUPABASE_URL",
                                  "DATABASE_URL",
                                  "CALLOPS_HTTP_TIMEOUT",
                                  "CALLOPS_INTERVAL",
                                  "CALLOPS_INFLIGHT_TIMEOUT",
                                  "CALLOPS_LEASE_SECONDS",
                                  "CALLOPS_IVR_WAIT",
                                  "CALLOPS_TASK_RETRY_DELAY",
                                  "CALLOPS_BACKOFF_BASE",
                                  "CALLOPS_BACKOFF_CAP"};

// What the headless scheduler needs besides the values under test.
void setSchedulerEnvironment()
{
    qputenv("DATABASE_URL", "postgresql://ops@127.0.0.1:5432/calls");
    qputenv("SUPABASE_URL", "https://abc.supabase.co");
    qputenv("SUPABASE_SERVICE_ROLE_KEY", "sb_secret_0123456789abcdef");
}

} // namespace

void TestSettings::unsetAll()
{
    for (const char *name : kVariables)
        qunsetenv(name);
}

void TestSettings::init()
{
    unsetAll();
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

void TestSettings::secondsHaveSaneBounds_data()
{
    QTest::addColumn<QByteArray>("variable");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QString>("expected"); // empty: taken
    // 4294968 s was 704 ms once multiplied into an int of milliseconds, and was taken.
    QTest::newRow("http timeout wraps") << QByteArray("CALLOPS_HTTP_TIMEOUT") << QByteArray("4294968")
                                        << "a whole number of seconds from 1 to 600";
    QTest::newRow("http timeout max") << QByteArray("CALLOPS_HTTP_TIMEOUT") << QByteArray("600") << "";
    QTest::newRow("http timeout above") << QByteArray("CALLOPS_HTTP_TIMEOUT") << QByteArray("601") << "600";
    QTest::newRow("interval negative timer")
            << QByteArray("CALLOPS_INTERVAL") << QByteArray("2147484") << "seconds from 1 to 86400";
    QTest::newRow("interval a day") << QByteArray("CALLOPS_INTERVAL") << QByteArray("86400") << "";
    QTest::newRow("inflight") << QByteArray("CALLOPS_INFLIGHT_TIMEOUT") << QByteArray("86401") << "86400";
    QTest::newRow("lease short") << QByteArray("CALLOPS_LEASE_SECONDS") << QByteArray("4") << "from 5 to";
    QTest::newRow("lease long") << QByteArray("CALLOPS_LEASE_SECONDS") << QByteArray("86401") << "86400";
    QTest::newRow("ivr wait zero") << QByteArray("CALLOPS_IVR_WAIT") << QByteArray("0") << "";
    QTest::newRow("ivr wait") << QByteArray("CALLOPS_IVR_WAIT") << QByteArray("2147483647") << "86400";
    QTest::newRow("task retry") << QByteArray("CALLOPS_TASK_RETRY_DELAY") << QByteArray("604801") << "604800";
    QTest::newRow("backoff base") << QByteArray("CALLOPS_BACKOFF_BASE") << QByteArray("86401") << "86400";
    // The retry policy refused 0 later, without naming the variable.
    QTest::newRow("backoff base zero")
            << QByteArray("CALLOPS_BACKOFF_BASE") << QByteArray("0") << "from 1 to";
    QTest::newRow("backoff cap") << QByteArray("CALLOPS_BACKOFF_CAP") << QByteArray("604801") << "604800";
    QTest::newRow("batch is no seconds")
            << QByteArray("CALLOPS_BATCH_SIZE") << QByteArray("10001") << "a whole number from 1 to 10000";
}

void TestSettings::secondsHaveSaneBounds()
{
    QFETCH(QByteArray, variable);
    QFETCH(QByteArray, value);
    QFETCH(QString, expected);
    qputenv(variable.constData(), value);
    Settings settings(m_dir.filePath("bounds.ini"));
    const Status status = settings.validate();
    unsetAll();
    if (expected.isEmpty()) {
        QVERIFY2(status.ok(), qPrintable(status.error()));
        return;
    }
    QVERIFY(!status.ok());
    // Which setting, where it came from, and what it must be.
    QVERIFY2(status.error().contains("The environment variable " + QString::fromLatin1(variable)),
             qPrintable(status.error()));
    QVERIFY2(status.error().contains(expected), qPrintable(status.error()));
    QVERIFY2(status.error().contains(QString::fromLatin1(value)), qPrintable(status.error()));
}

void TestSettings::messagesNameTheSettingOnce()
{
    // "Setting scheduler/batch_size under scheduler/batch_size in ..." said it twice.
    const QString path = m_dir.filePath("once.ini");
    {
        QSettings file(path, QSettings::IniFormat);
        file.setValue("scheduler/batch_size", 0);
    }
    Status status = Settings(path).validate();
    QVERIFY(!status.ok());
    QCOMPARE(status.error().count("scheduler/batch_size"), 1);
    QVERIFY2(status.error().contains(path), qPrintable(status.error()));

    qputenv("SUPABASE_SERVICE_ROLE_KEY", "sb_secret_with\nnewline");
    status = Settings(m_dir.filePath("key.ini")).validate();
    unsetAll();
    QVERIFY(!status.ok());
    QCOMPARE(status.error().count("SUPABASE_SERVICE_ROLE_KEY"), 1);
    QVERIFY2(status.error().contains("control character"), qPrintable(status.error()));
    QVERIFY2(!status.error().contains("sb_secret"), qPrintable(status.error()));
}

void TestSettings::malformedFileIsReported()
{
    // QSettings reads what it can of a broken file; the rest silently fell back to the defaults.
    const QString path = m_dir.filePath("broken.ini");
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("[scheduler\nbatch_size=20\n");
    file.close();
    const Status status = Settings(path).validate();
    QVERIFY(!status.ok());
    QVERIFY2(status.error().contains(path), qPrintable(status.error()));
    QVERIFY2(status.error().contains("malformed"), qPrintable(status.error()));
}

void TestSettings::hugeHttpTimeoutDoesNotWrap()
{
    // SchedulerConfig on its own (the console's scheduler panel reads it too): 4294968 s must not
    // become 704 ms.
    setSchedulerEnvironment();
    qputenv("CALLOPS_HTTP_TIMEOUT", "4294968");
    Settings settings(m_dir.filePath("wrap.ini"));
    const auto config = SchedulerConfig::fromSettings(settings);
    unsetAll();
    QVERIFY(!config.ok());
    QVERIFY2(config.error().contains("HTTP timeout"), qPrintable(config.error()));
}

void TestSettings::inflightTimeoutOutlastsTheHttpTimeout()
{
    // Rows would be rescued and dialled again while their POST is still open.
    setSchedulerEnvironment();
    qputenv("CALLOPS_HTTP_TIMEOUT", "30");
    qputenv("CALLOPS_INFLIGHT_TIMEOUT", "30");
    Settings settings(m_dir.filePath("inflight.ini"));
    QVERIFY(settings.validate().ok());
    auto config = SchedulerConfig::fromSettings(settings);
    QVERIFY(!config.ok());
    QVERIFY2(config.error().contains("in-flight timeout (30 s) must be longer than the HTTP timeout (30 s)"),
             qPrintable(config.error()));
    qputenv("CALLOPS_INFLIGHT_TIMEOUT", "31");
    config = SchedulerConfig::fromSettings(settings);
    unsetAll();
    QVERIFY2(config.ok(), qPrintable(config.error()));
}

void TestSettings::misspelledVariablesAreNamed()
{
    // CALLOPS_TIMEZONE (the option is --default-timezone) was ignored without a word, and clinics
    // whose zone cannot be told were called on New York time.
    qputenv("CALLOPS_TIMEZONE", "UTC");
    qputenv("CALLOPS_BATCHSIZE", "20");
    qputenv("CALLOPS_FROBNICATE", "1");
    qputenv("CALLOPS_INTERVAL", "30"); // a setting
    const QStringList warnings = Settings::unrecognisedEnvironment();
    for (const char *name :
         {"CALLOPS_TIMEZONE", "CALLOPS_BATCHSIZE", "CALLOPS_FROBNICATE", "CALLOPS_INTERVAL"})
        qunsetenv(name);
    const QString all = warnings.join(u'\n');
    QCOMPARE(warnings.size(), 3);
    QVERIFY2(all.contains("CALLOPS_TIMEZONE is no CallOps setting and is ignored; did you mean "
                          "CALLOPS_DEFAULT_TIME_ZONE?"),
             qPrintable(all));
    QVERIFY2(all.contains("CALLOPS_BATCHSIZE is no CallOps setting and is ignored; did you mean "
                          "CALLOPS_BATCH_SIZE?"),
             qPrintable(all));
    QVERIFY2(all.contains("CALLOPS_FROBNICATE is no CallOps setting and is ignored."), qPrintable(all));
}

QTEST_GUILESS_MAIN(TestSettings)
#include "TestSettings.moc"
