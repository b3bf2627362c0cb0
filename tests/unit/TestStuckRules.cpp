#include "config/Settings.h"
#include "console/StuckRules.h"

#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace callops;

class TestStuckRules : public QObject
{
    Q_OBJECT

private slots:
    void defaultsAreTheGuides_data();
    void defaultsAreTheGuides();
    void settingsOverrideThresholds();
    void arraysAreParallel();
};

void TestStuckRules::defaultsAreTheGuides_data()
{
    QTest::addColumn<int>("state");
    QTest::addColumn<int>("seconds");
    QTest::newRow("classifying") << int(WorkflowState::Classifying) << 600;
    QTest::newRow("calling") << int(WorkflowState::Calling) << 600;
    QTest::newRow("new") << int(WorkflowState::New) << 3600;
    QTest::newRow("ready_to_call") << int(WorkflowState::ReadyToCall) << 3600;
    QTest::newRow("retry_pending") << int(WorkflowState::RetryPending) << 3600;
    QTest::newRow("completed") << int(WorkflowState::Completed) << 0;
    QTest::newRow("failed") << int(WorkflowState::Failed) << 0;
    QTest::newRow("classification_failed") << int(WorkflowState::ClassificationFailed) << 0;
}

void TestStuckRules::defaultsAreTheGuides()
{
    QFETCH(int, state);
    QFETCH(int, seconds);
    QCOMPARE(StuckRules::defaults().thresholdSeconds(WorkflowState(state)), seconds);
}

void TestStuckRules::settingsOverrideThresholds()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("callops.conf");
    {
        QSettings file(path, QSettings::IniFormat);
        file.setValue("stuck/calling", 120);
        file.setValue("stuck/new", "not a number");
        file.setValue("stuck/completed", 5); // terminal states are never stuck
    }
    Settings settings(path);
    const StuckRules rules = StuckRules::fromSettings(settings);
    QCOMPARE(rules.thresholdSeconds(WorkflowState::Calling), 120);
    QCOMPARE(rules.thresholdSeconds(WorkflowState::New), 3600);
    QCOMPARE(rules.thresholdSeconds(WorkflowState::Completed), 0);

    StuckRules changed = rules;
    changed.setThresholdSeconds(WorkflowState::Classifying, 300);
    QVERIFY(changed.save(settings));
    QCOMPARE(StuckRules::fromSettings(Settings(path)), changed);
}

void TestStuckRules::arraysAreParallel()
{
    const StuckRules rules;
    const QStringList states = rules.statesArrayLiteral().mid(1).chopped(1).split(',');
    const QStringList seconds = rules.secondsArrayLiteral().mid(1).chopped(1).split(',');
    QCOMPARE(states.size(), seconds.size());
    QCOMPARE(states.size(), 8); // the eight non-terminal states
    for (int i = 0; i < states.size(); ++i)
        QCOMPARE(seconds.at(i).toInt(), rules.thresholdSeconds(workflow::stateFromName(states.at(i))));
}

QTEST_GUILESS_MAIN(TestStuckRules)
#include "TestStuckRules.moc"
