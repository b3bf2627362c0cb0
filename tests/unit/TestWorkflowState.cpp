#include "workflow/ManualAction.h"
#include "workflow/TransitionTable.h"
#include "workflow/WorkflowState.h"

#include <QTest>

using namespace callops;

class TestWorkflowState : public QObject
{
    Q_OBJECT

private slots:
    void namesRoundTrip_data();
    void namesRoundTrip();
    void unknownNamesAreRepresented_data();
    void unknownNamesAreRepresented();
    void groupsMatchTheDesign();
    void designTableRows_data();
    void designTableRows();
    void terminalStatesHaveNoSchedulerMoves();
    void everyStateIsReachableFromNew();
    void manualActions_data();
    void manualActions();
    void markFailedAloneRequiresAReason();
};

void TestWorkflowState::namesRoundTrip_data()
{
    QTest::addColumn<QString>("name");
    const QStringList guideStates{"new",         "checking_classification", "needs_classification",
                                  "classifying", "classification_pending",  "ready_to_call",
                                  "calling",     "retry_pending",           "completed",
                                  "failed",      "classification_failed"};
    for (const QString &name : guideStates)
        QTest::newRow(qPrintable(name)) << name;
}

void TestWorkflowState::namesRoundTrip()
{
    QFETCH(QString, name);
    const WorkflowState state = workflow::stateFromName(name);
    QVERIFY(state != WorkflowState::Unknown);
    QCOMPARE(workflow::stateName(state), name);
    QVERIFY(!workflow::stateLabel(state).isEmpty());
}

void TestWorkflowState::unknownNamesAreRepresented_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("empty") << QString();
    QTest::newRow("case differs") << QStringLiteral("NEW");
    QTest::newRow("padded") << QStringLiteral(" new");
    QTest::newRow("foreign") << QStringLiteral("on_hold");
    QTest::newRow("unicode") << QStringLiteral("llamando\u00e9");
    QTest::newRow("nul") << QString(QChar(0));
}

void TestWorkflowState::unknownNamesAreRepresented()
{
    QFETCH(QString, name);
    const WorkflowState state = workflow::stateFromName(name);
    QCOMPARE(state, WorkflowState::Unknown);
    QCOMPARE(workflow::stateGroup(state), StateGroup::Unknown);
    QVERIFY(!workflow::isActionable(state));
    QVERIFY(!workflow::isTerminal(state));
    QVERIFY(!workflow::stateLabel(state).isEmpty());
}

void TestWorkflowState::groupsMatchTheDesign()
{
    QCOMPARE(workflow::knownStates().size(), 11);
    QCOMPARE(workflow::stateNames(StateGroup::Actionable),
             QStringList({"new", "checking_classification", "needs_classification", "classification_pending",
                          "ready_to_call", "retry_pending"}));
    QCOMPARE(workflow::stateNames(StateGroup::InFlight), QStringList({"classifying", "calling"}));
    QCOMPARE(workflow::stateNames(StateGroup::Terminal),
             QStringList({"completed", "failed", "classification_failed"}));
    QCOMPARE(workflow::stateNamesArrayLiteral(StateGroup::InFlight), QStringLiteral("{classifying,calling}"));
}

void TestWorkflowState::designTableRows_data()
{
    QTest::addColumn<QString>("from");
    QTest::addColumn<int>("event");
    QTest::addColumn<QString>("to");
    using E = WorkflowEvent;
    auto row = [](const char *from, E event, const char *to) {
        QTest::addRow("%s --%s--> %s", from, qPrintable(transitions::eventName(event)), to)
                << QString::fromLatin1(from) << int(event) << QString::fromLatin1(to);
    };
    // DESIGN.md's table, row by row.
    row("new", E::ClassificationFound, "ready_to_call");
    row("checking_classification", E::ClassificationFound, "ready_to_call");
    row("new", E::ClassificationMissing, "needs_classification");
    row("checking_classification", E::ClassificationMissing, "needs_classification");
    row("needs_classification", E::NumberBusyClassifying, "checking_classification");
    row("needs_classification", E::ClassificationCallStarted, "classifying");
    row("classifying", E::HumanAnswered, "calling");
    row("classifying", E::IvrDetected, "classification_pending");
    row("classifying", E::ClassificationCallFailed, "needs_classification");
    row("classifying", E::ClassificationAttemptsExhausted, "classification_failed");
    row("classification_pending", E::IvrWaitElapsed, "ready_to_call");
    row("ready_to_call", E::TaskCallStarted, "calling");
    row("ready_to_call", E::OutsideCallingWindow, "ready_to_call");
    row("calling", E::TaskSucceeded, "completed");
    row("calling", E::TaskFailed, "retry_pending");
    row("retry_pending", E::RetryScheduled, "ready_to_call");
    row("retry_pending", E::RetriesExhausted, "failed");
    row("classifying", E::InFlightTimeout, "retry_pending");
    row("calling", E::InFlightTimeout, "retry_pending");
    row("classifying", E::TransientPostFailure, "needs_classification");
    row("calling", E::TransientPostFailure, "ready_to_call");
    row("classifying", E::PermanentPostFailure, "classification_failed");
    row("calling", E::PermanentPostFailure, "failed");
    // Beyond the design's table: a retry of a call cut short while classifying is classified
    // again, within the classification attempts, rather than called for its task.
    row("retry_pending", E::ClassificationRetryScheduled, "needs_classification");
    row("retry_pending", E::ClassificationAttemptsExhausted, "classification_failed");
}

void TestWorkflowState::designTableRows()
{
    QFETCH(QString, from);
    QFETCH(int, event);
    QFETCH(QString, to);
    const WorkflowState fromState = workflow::stateFromName(from);
    const auto e = WorkflowEvent(event);
    QVERIFY(transitions::allows(fromState, e));
    QCOMPARE(workflow::stateName(transitions::target(fromState, e)), to);
    QVERIFY(transitions::reachable(fromState, workflow::stateFromName(to)));
}

void TestWorkflowState::terminalStatesHaveNoSchedulerMoves()
{
    for (WorkflowState state : workflow::statesInGroup(StateGroup::Terminal)) {
        for (const Transition &t : transitions::from(state))
            QCOMPARE(t.source, EventSource::Operator);
    }
    // And nothing but an outcome, the rescuer or the scheduler's own POST handling moves a call in flight.
    for (WorkflowState state : workflow::statesInGroup(StateGroup::InFlight)) {
        for (const Transition &t : transitions::from(state)) {
            if (t.source == EventSource::Scheduler) {
                QVERIFY2(t.event == WorkflowEvent::TransientPostFailure
                                 || t.event == WorkflowEvent::PermanentPostFailure,
                         qPrintable(transitions::eventName(t.event)));
            }
        }
    }
}

void TestWorkflowState::everyStateIsReachableFromNew()
{
    QSet<WorkflowState> seen{WorkflowState::New};
    QList<WorkflowState> frontier{WorkflowState::New};
    while (!frontier.isEmpty()) {
        const WorkflowState state = frontier.takeFirst();
        for (const Transition &t : transitions::from(state)) {
            if (t.source != EventSource::Operator && !seen.contains(t.to)) {
                seen.insert(t.to);
                frontier.append(t.to);
            }
        }
    }
    for (WorkflowState state : workflow::knownStates())
        QVERIFY2(seen.contains(state), qPrintable(workflow::stateName(state)));
}

void TestWorkflowState::manualActions_data()
{
    QTest::addColumn<int>("action");
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("expected"); // empty: not allowed
    auto row = [](ManualAction action, const char *from, const char *to) {
        QTest::addRow("%s from %s", qPrintable(manualActions::actionName(action)), from)
                << int(action) << QString::fromLatin1(from) << QString::fromLatin1(to);
    };
    row(ManualAction::RetryNow, "retry_pending", "retry_pending");
    row(ManualAction::RetryNow, "failed", "new");
    row(ManualAction::RetryNow, "classification_failed", "new");
    row(ManualAction::RetryNow, "calling", "");
    row(ManualAction::RetryNow, "completed", "");
    row(ManualAction::RetryNow, "new", "");
    row(ManualAction::ResetStuck, "classifying", "retry_pending");
    row(ManualAction::ResetStuck, "calling", "retry_pending");
    row(ManualAction::ResetStuck, "ready_to_call", "");
    row(ManualAction::ResetStuck, "failed", "");
    row(ManualAction::MarkFailed, "ready_to_call", "failed");
    row(ManualAction::MarkFailed, "calling", "failed");
    row(ManualAction::MarkFailed, "completed", "");
    row(ManualAction::MarkFailed, "failed", "");
    row(ManualAction::Reclassify, "ready_to_call", "new");
    row(ManualAction::Reclassify, "classification_failed", "new");
    row(ManualAction::Reclassify, "calling", "");
    row(ManualAction::Reclassify, "classifying", "");
    row(ManualAction::Reclassify, "completed", "");
}

void TestWorkflowState::manualActions()
{
    QFETCH(int, action);
    QFETCH(QString, from);
    QFETCH(QString, expected);
    const auto a = ManualAction(action);
    const WorkflowState state = workflow::stateFromName(from);
    QCOMPARE(manualActions::allowedFrom(a, state), !expected.isEmpty());
    if (!expected.isEmpty())
        QCOMPARE(workflow::stateName(manualActions::targetFrom(a, state)), expected);
    else
        QCOMPARE(manualActions::targetFrom(a, state), WorkflowState::Unknown);
    QCOMPARE(manualActions::allowedStates(a).contains(state), !expected.isEmpty());
}

void TestWorkflowState::markFailedAloneRequiresAReason()
{
    for (ManualAction action : manualActions::all())
        QCOMPARE(manualActions::reasonRequired(action), action == ManualAction::MarkFailed);
}

QTEST_GUILESS_MAIN(TestWorkflowState)
#include "TestWorkflowState.moc"
