#include "ContractServer.h"
#include "CronCluster.h"
#include "TestDatabase.h"
#include "config/Settings.h"
#include "console/OperatorIdentity.h"
#include "scheduler/SchedulerConfig.h"
#include "scheduler/SchedulerPanel.h"
#include "telephony/SimulatorThread.h"

#include <QApplication>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace callops;
using namespace callops::test;

namespace {

// Answers the confirmation that starting the scheduler opens, once it is shown; what it explains
// goes to `informative` when given.
void answerStartConfirmation(QMessageBox::StandardButton answer, QString *informative = nullptr)
{
    QTimer::singleShot(0, qApp, [answer, informative] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        QVERIFY(box);
        QCOMPARE(box->objectName(), QStringLiteral("startSchedulerConfirmation"));
        QCOMPARE(box->defaultButton(), box->button(QMessageBox::No));
        if (informative)
            *informative = box->informativeText();
        box->button(answer)->click();
    });
}

// The demo's kind of configuration, handed to the panel: the database given, calls to the simulator.
SchedulerConfig simulatedCalls(const ConnectionSettings &database, const SimulatorThread &simulator)
{
    SchedulerConfig config;
    config.database = database;
    config.supabaseUrl = QUrl(QString("http://127.0.0.1:%1").arg(simulator.port()));
    config.serviceKey = QStringLiteral("panel-test-key");
    config.callingHours = QStringLiteral("mon-sun 00:00-24:00");
    return config;
}

// The lines of the panel's log, oldest first.
QStringList logLines(const SchedulerPanel &panel)
{
    const auto *log = panel.findChild<QListWidget *>("schedulerLog");
    QStringList lines;
    for (int row = 0; log && row < log->count(); ++row)
        lines.append(log->item(row)->text());
    return lines;
}

} // namespace

// The engine runs inside the console only when started there, and the panel drives it.
class TestSchedulerPanel : public QObject
{
    Q_OBJECT

private slots:
    void startRunOnePassAndStop();
    void givenConfigurationStartsAgainAfterStop();
    void guideSchedulerStillActiveIsShown();
    void refusedRequestsAreShownUntilAccepted();
    void unreachableDatabaseIsShown();
};

void TestSchedulerPanel::startRunOnePassAndStop()
{
    TestDatabase db("scheduler_panel");
    QVERIFY2(db.isValid(), qPrintable(db.error()));
    QVERIFY2(db.migrate(), qPrintable(db.error()));
    QCOMPARE(db.psql("INSERT INTO pending_calls (exam_id, phone, clinic_name) VALUES ('EX-P1', "
                     "'+12125550123', 'C')"),
             0);

    TelephonySimulator::Config simulatorConfig;
    simulatorConfig.expectedKey = "panel-test-key";
    SimulatorThread simulator(simulatorConfig);
    const Status started = simulator.start();
    QVERIFY2(started, qPrintable(started.error()));

    QTemporaryDir dir;
    Settings settings(dir.filePath("callops.conf"));
    settings.setCommandLineValue(Settings::Key::DatabaseUrl, db.url());
    settings.setCommandLineValue(Settings::Key::SupabaseUrl,
                                 QString("http://127.0.0.1:%1").arg(simulator.port()));
    settings.setCommandLineValue(Settings::Key::ServiceRoleKey, "panel-test-key");

    SchedulerPanel panel;
    auto *startStop = panel.findChild<QPushButton *>("schedulerStartStop");
    auto *runOnce = panel.findChild<QPushButton *>("schedulerRunOnce");
    QVERIFY(!runOnce->isEnabled());
    QVERIFY(!startStop->isEnabled()); // no settings yet: nothing to start
    panel.setSettings(&settings);
    QVERIFY(startStop->isEnabled());
    QVERIFY(!panel.isRunning());

    // Starting places real calls: it asks first, and Cancel leaves it off. It names the schedulers
    // already running elsewhere on the database, which go on.
    QString question;
    answerStartConfirmation(QMessageBox::No, &question);
    startStop->click();
    QVERIFY(!panel.isRunning());
    QVERIFY2(question.contains("Servers running the scheduler go on as before"), qPrintable(question));
    panel.setSchedulersElsewhere({QStringLiteral("sched-01"), QStringLiteral("desk-7 (console of maria)")});
    answerStartConfirmation(QMessageBox::No, &question);
    startStop->click();
    QVERIFY(!panel.isRunning());
    QVERIFY2(question.contains("Also running on this database: sched-01, desk-7 (console of maria)."),
             qPrintable(question));
    answerStartConfirmation(QMessageBox::Yes);
    startStop->click();
    QVERIFY(panel.isRunning());
    QVERIFY(runOnce->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(panel.stateText().contains("running"), 20000);
    // The other consoles see who runs it: this dispatcher, in a console (not a service).
    QTRY_COMPARE_WITH_TIMEOUT(
            scalar(db.connection(), "SELECT string_agg(started_by, ',') FROM callops_scheduler_presence")
                    .toString(),
            operatorIdentity::name(), 10000);
    runOnce->click();
    auto *log = panel.findChild<QListWidget *>("schedulerLog");
    QVERIFY(log);
    auto logText = [&panel] {
        return logLines(panel);
    };
    QTRY_VERIFY_WITH_TIMEOUT(logText().join(u'\n').contains("processed"), 20000);
    // Each log line starts with its time, once ("03:22:24 1 processed, ...").
    static const QRegularExpression twice(QStringLiteral("^\\S+ \\d{1,2}:\\d\\d"));
    for (const QString &line : logText())
        QVERIFY2(!twice.match(line).hasMatch(), qPrintable(line));
    // The call's line says what happened in words, not the guide's result code, and leads to the
    // call: Enter on it asks the window to show it.
    const QString id = scalar(db.connection(), "SELECT id::text FROM pending_calls WHERE exam_id = 'EX-P1'")
                               .toString();
    QListWidgetItem *callLine = nullptr;
    for (int row = 0; row < log->count() && !callLine; ++row) {
        if (log->item(row)->data(Qt::UserRole).toString() == id)
            callLine = log->item(row);
    }
    QVERIFY2(callLine, qPrintable(logText().join(u'\n')));
    static const QRegularExpression code(QStringLiteral("\\b[a-z]+_[a-z_]+\\b"));
    QVERIFY2(!code.match(callLine->text()).hasMatch(), qPrintable(callLine->text()));
    QVERIFY2(callLine->text().contains(id.left(8)), qPrintable(callLine->text()));
    QSignalSpy requested(&panel, &SchedulerPanel::callRequested);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    log->setFocus();
    log->setCurrentItem(callLine);
    QTest::keyClick(log, Qt::Key_Return);
    QCOMPARE(requested.size(), 1);
    QCOMPARE(requested.first().at(0).toString(), id);
    QSqlQuery query(db.connection());
    QVERIFY(query.exec("SELECT workflow_state FROM pending_calls WHERE exam_id = 'EX-P1'"));
    QVERIFY(query.next());
    QVERIFY2(query.value(0).toString() != "new", qPrintable(query.value(0).toString()));

    startStop->click();
    QTRY_VERIFY_WITH_TIMEOUT(!panel.isRunning(), 30000);
    QVERIFY(panel.stateText().contains("not running"));
}

void TestSchedulerPanel::givenConfigurationStartsAgainAfterStop()
{
    // The demo hands the panel its own configuration (no settings file): after Stop, Start must
    // run it again rather than stay greyed out.
    TestDatabase db("scheduler_panel_given");
    QVERIFY2(db.isValid(), qPrintable(db.error()));
    QVERIFY2(db.migrate(), qPrintable(db.error()));
    TelephonySimulator::Config simulatorConfig;
    simulatorConfig.expectedKey = "panel-test-key";
    SimulatorThread simulator(simulatorConfig);
    QVERIFY(simulator.start().ok());
    const SchedulerConfig config = simulatedCalls(db.settings(), simulator);

    SchedulerPanel panel;
    auto *startStop = panel.findChild<QPushButton *>("schedulerStartStop");
    panel.startEngine(config);
    QVERIFY(panel.isRunning());
    startStop->click();
    QTRY_VERIFY_WITH_TIMEOUT(!panel.isRunning(), 30000);
    QVERIFY(startStop->isEnabled());
    answerStartConfirmation(QMessageBox::Yes);
    startStop->click();
    QVERIFY(panel.isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(panel.stateText().contains("running"), 20000);
    startStop->click();
    QTRY_VERIFY_WITH_TIMEOUT(!panel.isRunning(), 30000);
}

void TestSchedulerPanel::guideSchedulerStillActiveIsShown()
{
    // The guide's pg_cron job still runs on the database: the panel says the scheduler places no
    // calls, why, and what removes the job; once it is gone, calls go on without a click.
    CronCluster cluster;
    QVERIFY2(cluster.isValid(), qPrintable(cluster.error()));
    QVERIFY(cluster.exec("INSERT INTO pending_calls (exam_id, phone, clinic_name, workflow_state) VALUES "
                         "('EX-G1', '+12125550123', 'C', 'ready_to_call')"));
    QVERIFY(cluster.scheduleGuideJob() > 0);
    TelephonySimulator::Config simulatorConfig;
    simulatorConfig.expectedKey = "panel-test-key";
    SimulatorThread simulator(simulatorConfig);
    QVERIFY(simulator.start().ok());
    SchedulerConfig config = simulatedCalls(cluster.settings(), simulator);
    config.callsPerSecond = 0;
    config.intervalSeconds = 1;
    config.guideSchedulerCheckSeconds = 1;

    SchedulerPanel panel;
    auto logText = [&panel] {
        return logLines(panel).join(u'\n');
    };
    auto stateOfCall = [&cluster] {
        return scalar(cluster.connection(),
                      "SELECT workflow_state FROM pending_calls WHERE exam_id = 'EX-G1'")
                .toString();
    };
    panel.startEngine(config);
    QTRY_VERIFY_WITH_TIMEOUT(panel.stateText().contains("pg_cron"), 20000);
    QVERIFY2(logText().contains("SELECT cron.unschedule('call-scheduler');"), qPrintable(logText()));
    QTest::qWait(2500);
    QCOMPARE(stateOfCall(), QStringLiteral("ready_to_call"));
    QVERIFY(panel.stateText().contains("pg_cron"));
    // One pass now, asked for by hand, places nothing either, and its summary says why.
    panel.findChild<QPushButton *>("schedulerRunOnce")->click();
    QTRY_VERIFY_WITH_TIMEOUT(logText().contains("Error: The guide's scheduler"), 20000);
    QCOMPARE(stateOfCall(), QStringLiteral("ready_to_call"));

    QVERIFY(cluster.exec("SELECT cron.unschedule('call-scheduler')"));
    QTRY_VERIFY_WITH_TIMEOUT(panel.stateText().contains("running"), 20000);
    QVERIFY2(logText().contains("placing calls again"), qPrintable(logText()));
    QTRY_VERIFY_WITH_TIMEOUT(stateOfCall() != QStringLiteral("ready_to_call"), 20000);
    panel.stopEngineAndWait(30000);
}

void TestSchedulerPanel::refusedRequestsAreShownUntilAccepted()
{
    // A wrong key: the engine places no calls until a trial call is accepted. The panel's state
    // says so (it said "running" while nothing was called), and says when calls go on again.
    TestDatabase db(QStringLiteral("panel_refused"));
    QVERIFY2(db.isValid() && db.migrate(), qPrintable(db.error()));
    const QString id = insertPendingCall(db.connection(), QStringLiteral("ready_to_call"),
                                         QStringLiteral("+1 212-736-5000"));
    ContractServer server;
    server.setDefaultStatus(401);
    SchedulerConfig config;
    config.database = db.settings();
    config.supabaseUrl = server.baseUrl();
    config.serviceKey = QStringLiteral("panel-test-key");
    config.callingHours = QStringLiteral("mon-sun 00:00-24:00");
    config.callsPerSecond = 0;
    config.intervalSeconds = 1;
    config.refusedPauseSeconds = 1;

    SchedulerPanel panel;
    auto logText = [&panel] {
        return logLines(panel).join(u'\n');
    };
    panel.startEngine(config);
    QTRY_VERIFY_WITH_TIMEOUT(panel.stateText().contains("refuses"), 20000);
    QVERIFY2(logText().contains("SUPABASE_SERVICE_ROLE_KEY"), qPrintable(logText()));
    // Trial calls are refused too: the state stays.
    QTRY_VERIFY_WITH_TIMEOUT(server.received().size() >= 2, 20000);
    QVERIFY(panel.stateText().contains("refuses"));

    server.setDefaultStatus(202);
    QTRY_VERIFY_WITH_TIMEOUT(panel.stateText().contains("running"), 20000);
    QVERIFY(!panel.stateText().contains("refuses"));
    QVERIFY2(logText().contains("accepts calls again"), qPrintable(logText()));
    QTRY_COMPARE_WITH_TIMEOUT(scalar(db.connection(),
                                     QStringLiteral("SELECT workflow_state FROM pending_calls WHERE id = ?"),
                                     {id})
                                      .toString(),
                              QStringLiteral("calling"), 20000);
    panel.stopEngineAndWait(30000);
}

void TestSchedulerPanel::unreachableDatabaseIsShown()
{
    // Nothing listens there: the engine keeps trying, and the state says it waits rather than
    // "running" (which it said while no call could be placed).
    const auto unreachable
            = ConnectionSettings::parse(QStringLiteral("postgresql://callops@127.0.0.1:1/none"));
    QVERIFY(unreachable);
    SchedulerConfig config;
    config.database = *unreachable;
    config.supabaseUrl = QUrl(QStringLiteral("http://127.0.0.1:1"));
    config.serviceKey = QStringLiteral("panel-test-key");
    SchedulerPanel panel;
    panel.startEngine(config);
    QTRY_VERIFY_WITH_TIMEOUT(logLines(panel).join(u'\n').contains("Scheduler started."), 20000);
    QVERIFY2(panel.stateText().contains("waiting for the database"), qPrintable(panel.stateText()));
    // Tried again after 1 s and 2 s, failing the same way: one line in the log, not one a try.
    QTest::qWait(3500);
    const QStringList lines = logLines(panel);
    QVERIFY2(lines.filter(QStringLiteral("Disconnected:")).size() == 1
                     && lines.filter(QStringLiteral("Connection refused")).size() == 2, // and its error
             qPrintable(lines.join(u'\n')));
    panel.stopEngineAndWait(30000);
}

QTEST_MAIN(TestSchedulerPanel)
#include "TestSchedulerPanel.moc"
