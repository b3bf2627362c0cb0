#include "config/Settings.h"
#include "scheduler/RetryPolicy.h"

#include <QTemporaryDir>
#include <QTest>

#include <climits>
#include <cmath>

using namespace callops;

class TestRetryPolicy : public QObject
{
    Q_OBJECT

private slots:
    void defaults();
    void bounds_data();
    void bounds();
    void deterministicValues_data();
    void deterministicValues();
    void configIsBroughtIntoRange_data();
    void configIsBroughtIntoRange();
    void randomDrawsStayInBounds_data();
    void randomDrawsStayInBounds();
    void fromSettings();
};

void TestRetryPolicy::defaults()
{
    const RetryPolicy policy;
    QCOMPARE(policy.config().baseSeconds, 30);
    QCOMPARE(policy.config().capSeconds, 3600);
    QCOMPARE(policy.config().jitter, 0.2);
    // The guide: a failed task call comes back after 30 minutes.
    QCOMPARE(policy.taskRetryDelaySeconds(), 30 * 60);
}

void TestRetryPolicy::bounds_data()
{
    QTest::addColumn<int>("attempt");
    QTest::addColumn<int>("low");
    QTest::addColumn<int>("high");

    // Default policy: 30 s doubling, +/- 20 %, capped at one hour.
    QTest::newRow("1") << 1 << 24 << 36;
    QTest::newRow("2") << 2 << 48 << 72;
    QTest::newRow("3") << 3 << 96 << 144;
    QTest::newRow("4") << 4 << 192 << 288;
    QTest::newRow("5") << 5 << 384 << 576;
    QTest::newRow("6") << 6 << 768 << 1152;
    QTest::newRow("7") << 7 << 1536 << 2304;
    // 30 * 2^7 = 3840 is past the cap: the cap is jittered downwards only.
    for (int attempt = 8; attempt <= 40; ++attempt)
        QTest::addRow("%d", attempt) << attempt << 2880 << 3600;
    QTest::newRow("1000") << 1000 << 2880 << 3600;
    QTest::newRow("INT_MAX") << INT_MAX << 2880 << 3600;
    QTest::newRow("0 counts as 1") << 0 << 24 << 36;
    QTest::newRow("-1 counts as 1") << -1 << 24 << 36;
    QTest::newRow("INT_MIN counts as 1") << INT_MIN << 24 << 36;
}

void TestRetryPolicy::bounds()
{
    QFETCH(int, attempt);
    QFETCH(int, low);
    QFETCH(int, high);

    const RetryPolicy policy;
    QCOMPARE(policy.bounds(attempt), std::make_pair(low, high));
    QCOMPARE(policy.backoffSeconds(attempt, 0.0), low);
    QVERIFY(policy.backoffSeconds(attempt, std::nextafter(1.0, 0.0)) <= high);
    QVERIFY(policy.backoffSeconds(attempt, std::nextafter(1.0, 0.0)) >= high - 1);
}

void TestRetryPolicy::deterministicValues_data()
{
    QTest::addColumn<int>("base");
    QTest::addColumn<int>("cap");
    QTest::addColumn<double>("jitter");
    QTest::addColumn<int>("attempt");
    QTest::addColumn<double>("unitRandom");
    QTest::addColumn<int>("seconds");

    QTest::newRow("middle is unjittered") << 30 << 3600 << 0.2 << 1 << 0.5 << 30;
    QTest::newRow("lowest") << 30 << 3600 << 0.2 << 1 << 0.0 << 24;
    QTest::newRow("quarter") << 30 << 3600 << 0.2 << 1 << 0.25 << 27;
    QTest::newRow("three quarters") << 30 << 3600 << 0.2 << 3 << 0.75 << 132;
    QTest::newRow("doubling") << 30 << 3600 << 0.2 << 4 << 0.5 << 240;
    QTest::newRow("at the cap") << 30 << 3600 << 0.2 << 8 << 0.5 << 3600;
    QTest::newRow("never above the cap") << 30 << 3600 << 0.2 << 8 << 0.99 << 3600;
    QTest::newRow("below the cap by jitter") << 30 << 3600 << 0.2 << 8 << 0.0 << 2880;
    QTest::newRow("no jitter") << 10 << 1000 << 0.0 << 3 << 0.9 << 40;
    QTest::newRow("no jitter, capped") << 10 << 1000 << 0.0 << 30 << 0.1 << 1000;
    QTest::newRow("overflow attempt") << 30 << 3600 << 0.2 << 1000 << 0.5 << 3600;
    QTest::newRow("huge base and cap") << INT_MAX << INT_MAX << 0.2 << 1000 << 0.5 << INT_MAX;
    QTest::newRow("huge cap keeps doubling") << 1 << INT_MAX << 0.0 << 31 << 0.5 << (1 << 30);
    QTest::newRow("huge cap, past int") << 1 << INT_MAX << 0.0 << 40 << 0.5 << INT_MAX;
    QTest::newRow("never below one second") << 1 << 10 << 1.0 << 1 << 0.0 << 1;
    QTest::newRow("zero attempt") << 30 << 3600 << 0.2 << 0 << 0.5 << 30;
    QTest::newRow("negative attempt") << 30 << 3600 << 0.2 << -7 << 0.5 << 30;
    QTest::newRow("random above range") << 30 << 3600 << 0.2 << 1 << 7.0 << 36;
    QTest::newRow("random below range") << 30 << 3600 << 0.2 << 1 << -3.0 << 24;
    QTest::newRow("random NaN") << 30 << 3600 << 0.2 << 1 << std::nan("") << 30;
}

void TestRetryPolicy::deterministicValues()
{
    QFETCH(int, base);
    QFETCH(int, cap);
    QFETCH(double, jitter);
    QFETCH(int, attempt);
    QFETCH(double, unitRandom);
    QFETCH(int, seconds);

    const RetryPolicy policy(RetryPolicy::Config{base, cap, jitter, 1800});
    QCOMPARE(policy.backoffSeconds(attempt, unitRandom), seconds);
    const auto [low, high] = policy.bounds(attempt);
    QVERIFY(seconds >= low && seconds <= high);
}

void TestRetryPolicy::configIsBroughtIntoRange_data()
{
    QTest::addColumn<int>("base");
    QTest::addColumn<int>("cap");
    QTest::addColumn<double>("jitter");
    QTest::addColumn<int>("taskDelay");
    QTest::addColumn<int>("usedBase");
    QTest::addColumn<int>("usedCap");
    QTest::addColumn<double>("usedJitter");
    QTest::addColumn<int>("usedTaskDelay");

    QTest::newRow("valid") << 5 << 50 << 0.1 << 60 << 5 << 50 << 0.1 << 60;
    QTest::newRow("zero base") << 0 << 50 << 0.1 << 60 << 1 << 50 << 0.1 << 60;
    QTest::newRow("negative base") << -30 << 50 << 0.1 << 60 << 1 << 50 << 0.1 << 60;
    QTest::newRow("cap below base") << 100 << 10 << 0.1 << 60 << 100 << 100 << 0.1 << 60;
    QTest::newRow("negative jitter") << 5 << 50 << -0.5 << 60 << 5 << 50 << 0.0 << 60;
    QTest::newRow("jitter above one") << 5 << 50 << 3.0 << 60 << 5 << 50 << 1.0 << 60;
    QTest::newRow("NaN jitter") << 5 << 50 << std::nan("") << 60 << 5 << 50 << 0.0 << 60;
    QTest::newRow("infinite jitter") << 5 << 50 << HUGE_VAL << 60 << 5 << 50 << 0.0 << 60;
    QTest::newRow("negative task delay") << 5 << 50 << 0.1 << -1 << 5 << 50 << 0.1 << 0;
}

void TestRetryPolicy::configIsBroughtIntoRange()
{
    QFETCH(int, base);
    QFETCH(int, cap);
    QFETCH(double, jitter);
    QFETCH(int, taskDelay);
    QFETCH(int, usedBase);
    QFETCH(int, usedCap);
    QFETCH(double, usedJitter);
    QFETCH(int, usedTaskDelay);

    const RetryPolicy policy(RetryPolicy::Config{base, cap, jitter, taskDelay});
    QCOMPARE(policy.config().baseSeconds, usedBase);
    QCOMPARE(policy.config().capSeconds, usedCap);
    QCOMPARE(policy.config().jitter, usedJitter);
    QCOMPARE(policy.config().taskRetryDelaySeconds, usedTaskDelay);
    QCOMPARE(policy.taskRetryDelaySeconds(), usedTaskDelay);
    for (int attempt = -2; attempt < 50; ++attempt) {
        const auto [low, high] = policy.bounds(attempt);
        QVERIFY(low >= 1);
        QVERIFY(low <= high);
        QVERIFY(high <= usedCap);
    }
}

void TestRetryPolicy::randomDrawsStayInBounds_data()
{
    QTest::addColumn<int>("base");
    QTest::addColumn<int>("cap");
    QTest::addColumn<double>("jitter");

    QTest::newRow("defaults") << 30 << 3600 << 0.2;
    QTest::newRow("full jitter") << 2 << 600 << 1.0;
    QTest::newRow("one second") << 1 << 1 << 0.5;
}

void TestRetryPolicy::randomDrawsStayInBounds()
{
    QFETCH(int, base);
    QFETCH(int, cap);
    QFETCH(double, jitter);

    const RetryPolicy policy(RetryPolicy::Config{base, cap, jitter, 1800});
    for (const int attempt : {1, 2, 5, 12, 40, 1000}) {
        const auto [low, high] = policy.bounds(attempt);
        int smallest = INT_MAX;
        int largest = 0;
        for (int draw = 0; draw < 10000; ++draw) {
            const int seconds = policy.backoffSeconds(attempt);
            QVERIFY2(seconds >= low && seconds <= high,
                     qPrintable(QStringLiteral("attempt %1: %2 outside [%3, %4]")
                                        .arg(attempt)
                                        .arg(seconds)
                                        .arg(low)
                                        .arg(high)));
            smallest = std::min(smallest, seconds);
            largest = std::max(largest, seconds);
        }
        // The jitter spreads the draws over the range, not just one value.
        if (high - low >= 10) {
            QVERIFY(smallest < low + (high - low) / 4);
            QVERIFY(largest > high - (high - low) / 4);
        }
    }
}

void TestRetryPolicy::fromSettings()
{
    for (const char *variable : {"CALLOPS_BACKOFF_BASE", "CALLOPS_BACKOFF_CAP", "CALLOPS_TASK_RETRY_DELAY"})
        qunsetenv(variable);
    QTemporaryDir dir;
    Settings settings(dir.filePath("retry.ini"));
    QCOMPARE(RetryPolicy::fromSettings(settings).taskRetryDelaySeconds(), 1800);
    QCOMPARE(RetryPolicy::fromSettings(settings).bounds(1), std::make_pair(24, 36));

    QVERIFY(settings.setFileValue(Settings::Key::BackoffBaseSeconds, 10));
    QVERIFY(settings.setFileValue(Settings::Key::BackoffCapSeconds, 100));
    settings.setCommandLineValue(Settings::Key::TaskRetryDelaySeconds, 60);
    const RetryPolicy policy = RetryPolicy::fromSettings(settings);
    QCOMPARE(policy.config().baseSeconds, 10);
    QCOMPARE(policy.config().capSeconds, 100);
    QCOMPARE(policy.taskRetryDelaySeconds(), 60);
    QCOMPARE(policy.backoffSeconds(3, 0.5), 40);
    QCOMPARE(policy.backoffSeconds(9, 0.5), 100);
}

QTEST_GUILESS_MAIN(TestRetryPolicy)
#include "TestRetryPolicy.moc"
