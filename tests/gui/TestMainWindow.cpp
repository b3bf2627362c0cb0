#include "MainWindow.h"
#include "Palettes.h"
#include "StateColors.h"
#include "TableLock.h"
#include "TestDatabase.h"
#include "calls/CallDetailPane.h"
#include "calls/CallTableModel.h"
#include "config/Settings.h"
#include "console/ConsoleWorker.h"
#include "dashboard/OfflineBanner.h"
#include "dashboard/StateListView.h"
#include "dashboard/StuckBanner.h"
#include "dialogs/ActionDialog.h"
#include "dialogs/ExportDialog.h"
#include "dialogs/HistorySearchDialog.h"
#include "dialogs/StuckRulesDialog.h"

#include <QTreeWidget>

#include <QAbstractButton>
#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPixmapCache>
#include <QProgressBar>
#include <QPushButton>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QScrollArea>
#include <QSemaphore>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSqlError>
#include <QSqlQuery>
#include <QStatusBar>
#include <QSysInfo>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <pwd.h>
#include <unistd.h>

using namespace callops;
using namespace callops::test;

namespace {

// Who the console runs as: the actor of its manual actions.
QString systemAccount()
{
    const passwd *account = getpwuid(geteuid());
    return account ? QString::fromLocal8Bit(account->pw_name) : QString();
}

void selectState(MainWindow &window, WorkflowState state)
{
    StateListView *list = window.stateList();
    const auto items = list->findItems(workflow::stateLabel(state), Qt::MatchExactly | Qt::MatchRecursive);
    QVERIFY(!items.isEmpty());
    list->clearSelection();
    items.first()->setSelected(true);
}

QString uuid(int n)
{
    return QString("00000000-0000-0000-0000-%1").arg(n, 12, 10, QChar('0'));
}

const char *kSeed = R"SQL(
INSERT INTO pending_calls (id, exam_id, employee_name, employee_dob, phone, clinic_name, workflow_state,
                           state_changed_at, updated_at, next_action_at, retry_count, failure_reason, failed_at)
SELECT ('00000000-0000-0000-0000-' || lpad(g::text, 12, '0'))::uuid,
       'EX-' || (1000 + g), 'Employee ' || g, DATE '1980-01-01' + g, '+1 555 200 ' || lpad(g::text, 4, '0'),
       CASE WHEN g % 3 = 0 THEN 'North Clinic' WHEN g % 3 = 1 THEN 'South Clinic' ELSE 'East Clinic' END,
       (ARRAY['new', 'ready_to_call', 'retry_pending', 'failed', 'completed', 'classification_failed',
              'needs_classification'])[1 + g % 7],
       now() - interval '5 minutes', now() - interval '5 minutes', now() + interval '1 hour', g % 3,
       CASE WHEN g % 7 IN (3, 5) THEN 'Max retries exceeded' END,
       CASE WHEN g % 7 IN (3, 5) THEN now() END
FROM generate_series(1, 23) g;
)SQL";

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void modelPassesTheTesterWhilePaging();
    void countsEqualTheDatabase();
    void sortingKeepsTheCount();
    void rowsComeBeforeTheCount();
    void supersededRequestsAreNotRun();
    void supersededSearchIsCancelledOnTheServer();
    void cancellingFollowsTheConsoleToANewSession();
    void readCancelledThoughNotSupersededRunsAgain();
    void busyIndicatorShowsWhileTheConsoleWaits();
    void refreshShowsTheRowsFirst();
    void filterListsAreNotReadOnEveryRefresh();
    void connectingAsksForEachThingOnce();
    void changesFromAnotherConnectionAppear();
    void actionsAreEnabledOnlyWhereAllowed();
    void actionChangesRowsAndHistory_data();
    void actionChangesRowsAndHistory();
    void markFailedNeedsAReason();
    void actionOnAllRowsMatchingTheFilter();
    void failureReasonFilterSaysHowMany();
    void stuckCallRaisesTheBanner();
    void stuckThresholdsAreEditedAppliedAndKept();
    void stuckThresholdsLeftAloneKeepTheirSeconds();
    void detailMasksTheDateOfBirth();
    void detailFieldsStayInsideThePane();
    void phonesAreShownAsPeopleReadThem();
    void injectionInSearchIsHarmless();
    void historyIsSearchedByReason();
    void statusMessagesHaveRoom();
    void detailsClearWhenTheCallLeavesTheTable();
    void detailsStayClearAfterARefresh();
    void selectionFollowsACallThatMovesUp();
    void tabLeavesTheTable();
    void actionsWaitForTheConnection();
    void refusedLoginIsNotTriedAgainByItself();
    void databaseNotMigratedSaysWhatToDo();
    void roleThatMayOnlyReadIsNotOfferedActions();
    void reasonOfAFailedActionIsKept();
    void closingWaitsForAManualActionWhenAsked();
    void closingNowUndoesTheActionNotWritten();
    void liveCallsTakeNoActionUntilStuck();
    void consoleGoesByTheDatabasesClock();
    void lostSessionIsNoticedBetweenRefreshes();
    void confirmationNamesFewSelectedCalls();
    void connectionChangeCanBeDisabled();
    void firstExportWorksWithoutADocumentsFolder();
    void demoSaysItIsTheDemo();
    void repaintsLeaveThePixmapCacheAlone();
    void schedulersElsewhereAreShown();

private:
    ActionOutcome retrySelected(MainWindow &window);
    bool selectCall(MainWindow &window, const QString &id);
    ActionDialog *waitForDialog(MainWindow &window);
    // Mark failed on the selected calls, confirmed with `reason`.
    bool markSelectedFailed(MainWindow &window, const QString &reason);
    // Waits until the worker has run what was queued on it and its answers have arrived here.
    bool drainWorker(MainWindow &window);
    // Lets the test database take new connections or not (an empty string, else psql's output).
    QString admitConnections(bool allow);
    std::unique_ptr<MainWindow> makeWindow();
    // Retry now on `id`, confirmed, while another session holds pending_calls: the action waits
    // on the server until `lock` is released.
    bool startActionHeldUp(MainWindow &window, const QString &id, const TableLock &lock);
    // Closes the window under a running action and answers the question with the button `choice`;
    // the question's text, or empty when none was asked.
    QString closeAnswering(MainWindow &window, const QString &choice);
    // The server ends the console's session, as a restart would; the console notices by itself.
    void endConsoleSession(MainWindow &window);
    // The console's statements waiting on a lock now.
    int consoleWaitingOnALock();
    // A search held up on the server (by a lock here, by a million calls in use), then cleared:
    // the rows without it come at once, and the search's statement is gone from the server.
    void searchGivesWayToTheNextFilter(MainWindow &window);

    std::unique_ptr<TestDatabase> m_database;
    QSqlDatabase m_db;
};

void TestMainWindow::initTestCase()
{
    // The history names the system account, whatever USER says.
    qputenv("USER", "dispatcher-test");
}

void TestMainWindow::init()
{
    m_database = std::make_unique<TestDatabase>(QString::fromLatin1(QTest::currentTestFunction()));
    QVERIFY2(m_database->isValid(), qPrintable(m_database->error()));
    QVERIFY2(m_database->migrate(), qPrintable(m_database->error()));
    m_db = m_database->connection();
    QSqlQuery query(m_db);
    QVERIFY2(query.exec(kSeed), qPrintable(query.lastError().text()));
}

void TestMainWindow::cleanup()
{
    m_db = QSqlDatabase();
    m_database.reset();
}

std::unique_ptr<MainWindow> TestMainWindow::makeWindow()
{
    auto window = std::make_unique<MainWindow>();
    // Only LISTEN (or an explicit action) may bring changes in during a test.
    window->setRefreshIntervalSeconds(3600);
    window->setDebounceMilliseconds(50);
    window->connectToDatabase(m_database->url());
    window->show();
    return window;
}

bool TestMainWindow::selectCall(MainWindow &window, const QString &id)
{
    CallTableModel *model = window.model();
    if (!QTest::qWaitFor([&] {
            if (model->rowOfCall(id) < 0 && model->canFetchMore({}))
                model->fetchMore({});
            return model->rowOfCall(id) >= 0;
        }))
        return false;
    window.table()->clearSelection();
    window.table()->selectRow(model->rowOfCall(id));
    return true;
}

ActionDialog *TestMainWindow::waitForDialog(MainWindow &window)
{
    ActionDialog *dialog = nullptr;
    const bool shown = QTest::qWaitFor([&] {
        dialog = window.findChild<ActionDialog *>();
        return dialog && dialog->isVisible();
    });
    return shown ? dialog : nullptr;
}

bool TestMainWindow::markSelectedFailed(MainWindow &window, const QString &reason)
{
    window.actionFor(ManualAction::MarkFailed)->trigger();
    ActionDialog *dialog = waitForDialog(window);
    if (!dialog)
        return false;
    dialog->setReason(reason);
    dialog->accept();
    return true;
}

bool TestMainWindow::drainWorker(MainWindow &window)
{
    bool drained = false;
    QMetaObject::invokeMethod(window.worker(), [&drained, this] {
        QMetaObject::invokeMethod(this, [&drained] { drained = true; });
    });
    return QTest::qWaitFor([&] { return drained; });
}

QString TestMainWindow::admitConnections(bool allow)
{
    // From the maintenance database: a session cannot shut the door of its own database.
    QString output;
    const int code = m_database->psql(QStringLiteral("ALTER DATABASE \"%1\" ALLOW_CONNECTIONS %2")
                                              .arg(m_database->name(), allow ? "true" : "false"),
                                      &output, {"-d", "postgres"});
    return code == 0 ? QString() : output;
}

void TestMainWindow::modelPassesTheTesterWhilePaging()
{
    auto window = makeWindow();
    // A model of its own on the window's worker: no view fetches pages behind the test's back.
    CallTableModel own(window->worker());
    CallTableModel *model = &own;
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester windowTester(window->model(),
                                          QAbstractItemModelTester::FailureReportingMode::QtTest);
    model->setPageSize(5);
    model->setFilter({});
    QTRY_COMPARE(model->totalCount(), 23);
    QTRY_COMPARE(model->rowCount(), 5);
    while (model->rowCount() < 23) {
        const int before = model->rowCount();
        QTRY_VERIFY(model->canFetchMore({}));
        model->fetchMore({});
        QTRY_VERIFY(model->rowCount() > before);
    }
    QTRY_VERIFY(!model->isLoading());
    QVERIFY(!model->canFetchMore({}));
    // Sorting runs in SQL and starts over.
    model->sort(CallTableModel::ExamId, Qt::AscendingOrder);
    QTRY_VERIFY(model->rowCount() > 0);
    QCOMPARE(model->index(0, CallTableModel::ExamId).data().toString(),
             scalar(m_db, "SELECT exam_id FROM pending_calls ORDER BY exam_id, id LIMIT 1").toString());
    // A refresh keeps the row count and the order.
    model->refresh();
    QTRY_VERIFY(!model->isLoading());
    QCOMPARE(model->index(0, CallTableModel::ExamId).data().toString(),
             scalar(m_db, "SELECT exam_id FROM pending_calls ORDER BY exam_id, id LIMIT 1").toString());
}

void TestMainWindow::countsEqualTheDatabase()
{
    auto window = makeWindow();
    QSignalSpy counts(window.get(), &MainWindow::countsUpdated);
    QTRY_VERIFY(counts.count() > 0);
    QSqlQuery query(m_db);
    QVERIFY(query.exec("SELECT workflow_state, count(*) FROM pending_calls GROUP BY 1"));
    int checked = 0;
    while (query.next()) {
        QCOMPARE(window->stateList()->shownCount(workflow::stateFromName(query.value(0).toString())),
                 query.value(1).toLongLong());
        ++checked;
    }
    QCOMPARE(checked, 7);
    QCOMPARE(window->stateList()->shownCount(WorkflowState::Calling), 0);
    QVERIFY(window->connectionText().contains(m_database->name()));
}

void TestMainWindow::sortingKeepsTheCount()
{
    // Another order of the same calls: the count stays shown and is not asked again (a full count
    // at a million calls).
    auto window = makeWindow();
    CallTableModel *model = window->model();
    QTRY_COMPARE(model->totalCount(), 23);
    QTRY_VERIFY(!model->isLoading());
    QSignalSpy counted(window->worker(), &ConsoleWorker::filteredCounted);
    QSignalSpy pages(model, &CallTableModel::pageArrived);
    window->table()->sortByColumn(CallTableModel::ExamId, Qt::AscendingOrder);
    QCOMPARE(model->totalCount(), 23);
    QTRY_VERIFY(!pages.isEmpty());
    QCOMPARE(model->index(0, CallTableModel::ExamId).data().toString(), "EX-1001");
    QCOMPARE(model->totalCount(), 23);
    QCOMPARE(counted.count(), 0);
}

void TestMainWindow::rowsComeBeforeTheCount()
{
    // The worker answers in order: the rows, which the dispatcher waits for, are asked first.
    auto window = makeWindow();
    QTRY_VERIFY(window->model()->totalCount() >= 0 && !window->model()->isLoading());
    CallTableModel own(window->worker());
    QStringList answers;
    connect(window->worker(), &ConsoleWorker::pageLoaded, &own, [&] { answers.append("rows"); });
    connect(window->worker(), &ConsoleWorker::filteredCounted, &own, [&] { answers.append("count"); });
    CallFilter filter;
    filter.states = {WorkflowState::Failed};
    own.setFilter(filter);
    QTRY_COMPARE(answers.size(), 2);
    QCOMPARE(answers, (QStringList{"rows", "count"}));
}

void TestMainWindow::supersededRequestsAreNotRun()
{
    // A search changed again while the worker is busy: the requests of the older one, still
    // queued, are skipped rather than run for answers the table would throw away.
    auto window = makeWindow();
    QTRY_VERIFY(window->model()->totalCount() >= 0 && !window->model()->isLoading());
    CallTableModel own(window->worker());
    int pages = 0;
    int counts = 0;
    connect(window->worker(), &ConsoleWorker::pageLoaded, &own, [&] { ++pages; });
    connect(window->worker(), &ConsoleWorker::filteredCounted, &own, [&] { ++counts; });
    QSemaphore busy;
    ConsoleWorker *worker = window->worker();
    QMetaObject::invokeMethod(worker, [&busy] { busy.acquire(); }); // holds the worker
    CallFilter filter;
    for (const char *search : {"55", "555 2", "555 200 0003"}) {
        filter.search = QString::fromLatin1(search);
        own.setFilter(filter);
        own.sort(CallTableModel::Clinic, filter.search.size() % 2 ? Qt::AscendingOrder : Qt::DescendingOrder);
    }
    busy.release();
    QVERIFY(drainWorker(*window)); // queued behind the requests; answers here after theirs
    QCOMPARE(pages, 1);
    QCOMPARE(counts, 1);
    QCOMPARE(own.rowCount(), 1);
    QCOMPARE(own.totalCount(), 1);
}

void TestMainWindow::endConsoleSession(MainWindow &window)
{
    QString output;
    QCOMPARE(m_database->psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = current_database() AND application_name = 'callops-console'",
                              &output),
             0);
    QTRY_VERIFY_WITH_TIMEOUT(window.connectionText().startsWith("Not connected"), 10000);
}

namespace {
// The console's sessions waiting for a lock.
const char *const kConsoleLockWaits = "FROM pg_stat_activity WHERE datname = current_database() AND "
                                      "application_name = 'callops-console' AND wait_event_type = 'Lock'";
} // namespace

int TestMainWindow::consoleWaitingOnALock()
{
    return scalar(m_db, QStringLiteral("SELECT count(*) ") + QLatin1String(kConsoleLockWaits)).toInt();
}

void TestMainWindow::searchGivesWayToTheNextFilter(MainWindow &window)
{
    CallTableModel *model = window.model();
    QTRY_VERIFY(model->totalCount() == 23 && !model->isLoading());
    // Another session holds the search's side table (migration 0026): a search's page and count
    // wait for it, as a broad search over a million calls takes seconds.
    TableLock lock(*m_database, QStringLiteral("pending_call_search"));
    QVERIFY2(lock.isHeld(), qPrintable(lock.error()));
    QSignalSpy errors(window.worker(), &ConsoleWorker::errorOccurred);
    window.statusBar()->clearMessage(); // what came before
    window.searchField()->setText("555");
    emit window.searchField()->returnPressed();
    QTRY_COMPARE(consoleWaitingOnALock(), 1);
    QCOMPARE(model->totalCount(), -1);

    window.searchField()->clear();
    emit window.searchField()->returnPressed();
    // While the lock is still held: only a cancelled search lets the worker on to these.
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 23, 20000);
    QTRY_COMPARE(model->totalCount(), 23);
    QCOMPARE(scalar(m_db,
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'relation' "
                    "AND relation = 'pending_call_search'::regclass AND granted "
                    "AND mode = 'AccessExclusiveLock'")
                     .toInt(),
             1);
    QCOMPARE(consoleWaitingOnALock(), 0);
    // A superseded read that was cancelled says nothing.
    QVERIFY(drainWorker(window));
    QCOMPARE(errors.count(), 0);
    QCOMPARE(window.statusBar()->currentMessage(), QString());
    lock.release();

    // The session goes on as before after its statement was cancelled.
    window.searchField()->setText("EX-1001");
    emit window.searchField()->returnPressed();
    QTRY_COMPARE(model->totalCount(), 1);
    QTRY_COMPARE(model->rowCount(), 1);
    QCOMPARE(errors.count(), 0);
}

void TestMainWindow::supersededSearchIsCancelledOnTheServer()
{
    // A cancelled read is nothing to tell: failing on it would fail the test.
    QTest::failOnWarning(
            QRegularExpression("cancel|console query failed", QRegularExpression::CaseInsensitiveOption));
    auto window = makeWindow();
    searchGivesWayToTheNextFilter(*window);
}

void TestMainWindow::cancellingFollowsTheConsoleToANewSession()
{
    // The server knows a cancel by the session it is for: the console's new session after the old
    // one was lost needs its own.
    auto window = makeWindow();
    QTRY_VERIFY(window->connectionText().startsWith("Connected"));
    QTRY_VERIFY(window->model()->totalCount() == 23 && !window->model()->isLoading());
    endConsoleSession(*window);
    window->refreshNow();
    QTRY_VERIFY(window->connectionText().startsWith("Connected"));
    searchGivesWayToTheNextFilter(*window);
}

void TestMainWindow::readCancelledThoughNotSupersededRunsAgain()
{
    // A cancel sent for a superseded read may land on the next one, which nothing superseded: it
    // runs again and its rows are shown, no error. Here the stray cancel comes from
    // pg_cancel_backend, at a moment the test chooses.
    auto window = makeWindow();
    CallTableModel *model = window->model();
    QTRY_VERIFY(model->totalCount() == 23 && !model->isLoading());
    TableLock lock(*m_database, QStringLiteral("pending_call_search"));
    QVERIFY2(lock.isHeld(), qPrintable(lock.error()));
    QSignalSpy errors(window->worker(), &ConsoleWorker::errorOccurred);
    window->searchField()->setText("EX-1001");
    emit window->searchField()->returnPressed();
    QTRY_COMPARE(consoleWaitingOnALock(), 1);
    const QString waiting = QLatin1String(kConsoleLockWaits);
    const qint64 firstStart
            = scalar(m_db, "SELECT (extract(epoch FROM query_start) * 1e6)::bigint " + waiting).toLongLong();
    QVERIFY(scalar(m_db, "SELECT pg_cancel_backend(pid) " + waiting).toBool());
    // Run again: a statement of the console waits on the lock once more, one that started later
    // (the page again; without the rule, the count queued behind the failed page).
    QTRY_COMPARE(
            scalar(m_db,
                   "SELECT count(*) " + waiting + " AND (extract(epoch FROM query_start) * 1e6)::bigint > ?",
                   {firstStart})
                    .toInt(),
            1);
    lock.release();
    QTRY_COMPARE(model->rowCount(), 1);
    QTRY_COMPARE(model->totalCount(), 1);
    QCOMPARE(model->index(0, CallTableModel::ExamId).data().toString(), "EX-1001");
    QVERIFY(drainWorker(*window));
    QCOMPARE(errors.count(), 0);
}

void TestMainWindow::busyIndicatorShowsWhileTheConsoleWaits()
{
    auto window = makeWindow();
    QTRY_VERIFY(window->model()->totalCount() >= 0 && !window->model()->isLoading());
    auto *busy = window->findChild<QProgressBar *>("busyIndicator");
    QVERIFY(busy);
    QTRY_VERIFY(!busy->isVisible());
    QSemaphore worker;
    QMetaObject::invokeMethod(window->worker(), [&worker] { worker.acquire(); }); // a slow query
    auto release = qScopeGuard([&worker] { worker.release(); });
    window->searchField()->setText("EX-1001");
    emit window->searchField()->returnPressed();
    QTRY_VERIFY(busy->isVisible());
    QCOMPARE(window->table()->viewport()->cursor().shape(), Qt::BusyCursor);
    QCOMPARE(window->findChild<QLabel *>("totalLabel")->text(), "Counting…");
    worker.release();
    release.dismiss();
    QTRY_COMPARE(window->model()->totalCount(), 1);
    QTRY_VERIFY(!busy->isVisible());
    QCOMPARE(window->table()->viewport()->cursor().shape(), Qt::ArrowCursor);

    // A manual action (on many calls it takes seconds): busy until its outcome is in.
    QVERIFY(selectCall(*window, uuid(1)));
    QSignalSpy reported(window.get(), &MainWindow::actionReported);
    window->actionFor(ManualAction::MarkFailed)->trigger();
    ActionDialog *dialog = waitForDialog(*window);
    QVERIFY(dialog);
    dialog->setReason("wrong number");
    QMetaObject::invokeMethod(window->worker(), [&worker] { worker.acquire(); });
    auto releaseAction = qScopeGuard([&worker] { worker.release(); });
    dialog->accept();
    QTRY_VERIFY(busy->isVisible());
    worker.release();
    releaseAction.dismiss();
    QTRY_COMPARE(reported.count(), 1);
    QTRY_VERIFY(!busy->isVisible());
}

void TestMainWindow::refreshShowsTheRowsFirst()
{
    // The state counts and the filter boxes' values read the whole table: a refresh asks for the
    // table's rows and the selected call before them.
    auto window = makeWindow();
    QTRY_VERIFY(window->model()->totalCount() >= 0 && !window->model()->isLoading());
    QVERIFY(selectCall(*window, uuid(3)));
    QTRY_COMPARE(window->detailPane()->callId(), uuid(3));
    QTRY_VERIFY(window->counts().total > 0); // the first refresh is done
    QStringList answers;
    ConsoleWorker *worker = window->worker();
    connect(worker, &ConsoleWorker::pageLoaded, this, [&] { answers.append("rows"); });
    connect(worker, &ConsoleWorker::callLoaded, this, [&] { answers.append("call"); });
    connect(worker, &ConsoleWorker::countsLoaded, this, [&] { answers.append("counts"); });
    window->refreshNow();
    QTRY_COMPARE(answers.size(), 3);
    QCOMPARE(answers, (QStringList{"rows", "call", "counts"}));
    disconnect(worker, nullptr, this, nullptr);
}

void TestMainWindow::connectingAsksForEachThingOnce()
{
    // The first connection answers what was asked with it: the console asked everything again
    // when it heard of the connection (a second of whole-table reads at a million calls).
    auto window = std::make_unique<MainWindow>();
    window->setRefreshIntervalSeconds(3600);
    ConsoleWorker *worker = window->worker();
    QSignalSpy pages(worker, &ConsoleWorker::pageLoaded);
    QSignalSpy counted(worker, &ConsoleWorker::filteredCounted);
    QSignalSpy counts(worker, &ConsoleWorker::countsLoaded);
    QSignalSpy options(worker, &ConsoleWorker::filterOptionsLoaded);
    window->connectToDatabase(m_database->url());
    window->show();
    QTRY_VERIFY(!options.isEmpty());
    // What the answers made the window ask, then their answers.
    QVERIFY(drainWorker(*window));
    QVERIFY(drainWorker(*window));
    QCOMPARE(pages.count(), 1);
    QCOMPARE(counted.count(), 1);
    QCOMPARE(counts.count(), 1);
    QCOMPARE(options.count(), 1);
    QCOMPARE(window->model()->totalCount(), 23);
}

void TestMainWindow::filterListsAreNotReadOnEveryRefresh()
{
    // The clinic and failure-reason lists are two whole-table scans: read at connect, after a
    // manual action (Mark failed adds a reason) and then at most once a minute, not on each refresh.
    auto window = makeWindow();
    ConsoleWorker *worker = window->worker();
    QSignalSpy options(worker, &ConsoleWorker::filterOptionsLoaded);
    QTRY_COMPARE(options.count(), 1);
    for (int refresh = 0; refresh < 2; ++refresh) {
        QSignalSpy counts(window.get(), &MainWindow::countsUpdated);
        window->refreshNow();
        QTRY_COMPARE(counts.count(), 1);
        QVERIFY(drainWorker(*window));
    }
    QCOMPARE(options.count(), 1);
    QVERIFY(selectCall(*window, uuid(1)));
    QVERIFY(markSelectedFailed(*window, "Clinic closed for good"));
    QTRY_COMPARE(options.count(), 2);
    auto *reasons = window->findChild<QComboBox *>("failureReasonFilter");
    QTRY_VERIFY(reasons->findData("Clinic closed for good") >= 0);
}

void TestMainWindow::changesFromAnotherConnectionAppear()
{
    auto window = makeWindow();
    QTRY_COMPARE(window->stateList()->shownCount(WorkflowState::New), 3);
    QTRY_COMPARE(window->model()->totalCount(), 23);
    QCOMPARE(m_database->psql(
                     "UPDATE pending_calls SET workflow_state = 'calling' WHERE workflow_state = 'new'"),
             0);
    QTRY_COMPARE(window->stateList()->shownCount(WorkflowState::Calling), 3);
    QCOMPARE(window->stateList()->shownCount(WorkflowState::New), 0);
    QCOMPARE(m_database->psql("INSERT INTO pending_calls (exam_id, phone) VALUES ('EX-NEW', '+15552009999')"),
             0);
    QTRY_COMPARE(window->model()->totalCount(), 24);
    QTRY_VERIFY(
            window->model()->rowOfCall(
                    scalar(m_db, "SELECT id::text FROM pending_calls WHERE exam_id = 'EX-NEW'").toString())
            >= 0);
}

void TestMainWindow::actionsAreEnabledOnlyWhereAllowed()
{
    auto window = makeWindow();
    // g = 5: completed (5 % 7 = 5 → classification_failed); pick by state from the database instead.
    const QString completed
            = scalar(m_db, "SELECT id::text FROM pending_calls WHERE workflow_state = 'completed' LIMIT 1")
                      .toString();
    const QString fresh
            = scalar(m_db, "SELECT id::text FROM pending_calls WHERE workflow_state = 'new' LIMIT 1")
                      .toString();
    const QString failed
            = scalar(m_db, "SELECT id::text FROM pending_calls WHERE workflow_state = 'failed' LIMIT 1")
                      .toString();
    QVERIFY(selectCall(*window, completed));
    for (ManualAction action : manualActions::all())
        QVERIFY2(!window->actionFor(action)->isEnabled(), qPrintable(manualActions::actionName(action)));
    QVERIFY(selectCall(*window, fresh));
    for (ManualAction action : manualActions::all())
        QCOMPARE(window->actionFor(action)->isEnabled(),
                 manualActions::allowedFrom(action, WorkflowState::New));
    QVERIFY(selectCall(*window, failed));
    for (ManualAction action : manualActions::all())
        QCOMPARE(window->actionFor(action)->isEnabled(),
                 manualActions::allowedFrom(action, WorkflowState::Failed));
    // A disabled action does nothing even when triggered.
    window->actionFor(ManualAction::ResetStuck)->trigger();
    QVERIFY(!window->findChild<ActionDialog *>());
}

void TestMainWindow::actionChangesRowsAndHistory_data()
{
    QTest::addColumn<int>("action");
    QTest::addColumn<QString>("fromState");
    QTest::addColumn<QString>("reason");
    QTest::newRow("retry now") << int(ManualAction::RetryNow) << "failed"
                               << "number corrected";
    QTest::newRow("reset stuck") << int(ManualAction::ResetStuck) << "calling"
                                 << "line dropped";
    QTest::newRow("mark failed") << int(ManualAction::MarkFailed) << "ready_to_call"
                                 << "clinic closed";
    QTest::newRow("re-classify") << int(ManualAction::Reclassify) << "needs_classification"
                                 << "";
}

void TestMainWindow::actionChangesRowsAndHistory()
{
    QFETCH(int, action);
    QFETCH(QString, fromState);
    QFETCH(QString, reason);
    const auto manual = ManualAction(action);
    if (fromState == "calling")
        QCOMPARE(m_database->psql(
                         "UPDATE pending_calls SET workflow_state = 'calling', "
                         "state_changed_at = now() - interval '11 minutes' WHERE exam_id = 'EX-1001'"),
                 0);
    const QString id = scalar(m_db,
                              "SELECT id::text FROM pending_calls WHERE workflow_state = '" + fromState
                                      + "' ORDER BY id LIMIT 1")
                               .toString();
    QVERIFY(!id.isEmpty());
    const int historyBefore
            = scalar(m_db, "SELECT count(*) FROM workflow_events WHERE pending_call_id = '" + id + "'")
                      .toInt();

    auto window = makeWindow();
    QVERIFY(selectCall(*window, id));
    QVERIFY(window->actionFor(manual)->isEnabled());
    QSignalSpy reported(window.get(), &MainWindow::actionReported);
    window->actionFor(manual)->trigger();
    ActionDialog *dialog = waitForDialog(*window);
    QVERIFY(dialog);
    QCOMPARE(dialog->action(), manual);
    dialog->setReason(reason);
    dialog->accept();
    QTRY_COMPARE(reported.count(), 1);
    const auto outcome = reported.at(0).at(0).value<ActionOutcome>();
    QVERIFY2(outcome.ok(), qPrintable(outcome.error));
    QCOMPARE(outcome.changed(), 1);
    QVERIFY(reported.at(0).at(1).toString().contains("1"));

    const QString expected
            = workflow::stateName(manualActions::targetFrom(manual, workflow::stateFromName(fromState)));
    QCOMPARE(scalar(m_db, "SELECT workflow_state FROM pending_calls WHERE id = '" + id + "'").toString(),
             expected);
    QCOMPARE(
            scalar(m_db, "SELECT count(*) FROM workflow_events WHERE pending_call_id = '" + id + "'").toInt(),
            historyBefore + 1);
    QSqlQuery last(m_db);
    QVERIFY(last.exec(
            "SELECT actor, coalesce(reason, ''), to_state FROM workflow_events WHERE pending_call_id = '" + id
            + "' ORDER BY id DESC LIMIT 1"));
    QVERIFY(last.next());
    QCOMPARE(last.value(0).toString(), systemAccount());
    QCOMPARE(last.value(1).toString(), reason);
    QCOMPARE(last.value(2).toString(), expected);
    // The detail pane's timeline shows the new entry.
    QTRY_COMPARE(window->detailPane()->historyCount(), historyBefore + 1);
}

void TestMainWindow::markFailedNeedsAReason()
{
    auto window = makeWindow();
    const QString id = scalar(m_db, "SELECT id::text FROM pending_calls WHERE workflow_state = 'new' LIMIT 1")
                               .toString();
    QVERIFY(selectCall(*window, id));
    window->actionFor(ManualAction::MarkFailed)->trigger();
    ActionDialog *dialog = waitForDialog(*window);
    QVERIFY(dialog);
    QVERIFY(!dialog->canAccept());
    auto *ok = dialog->findChild<QPushButton *>();
    Q_UNUSED(ok)
    dialog->setReason("   ");
    QVERIFY(!dialog->canAccept());
    dialog->setReason("duplicate exam");
    QVERIFY(dialog->canAccept());
    dialog->reject();
    QCOMPARE(scalar(m_db, "SELECT workflow_state FROM pending_calls WHERE id = '" + id + "'").toString(),
             "new");
}

void TestMainWindow::actionOnAllRowsMatchingTheFilter()
{
    auto window = makeWindow();
    const int north
            = scalar(m_db, "SELECT count(*) FROM pending_calls WHERE clinic_name = 'North Clinic'").toInt();
    const int northMarkable
            = scalar(m_db,
                     "SELECT count(*) FROM pending_calls WHERE clinic_name = 'North Clinic' AND "
                     "workflow_state "
                     "IN (SELECT from_state FROM workflow_manual_transitions WHERE action = 'mark_failed')")
                      .toInt();
    QVERIFY(northMarkable > 0);
    window->searchField()->setText("north clinic");
    QTRY_COMPARE(window->model()->totalCount(), north);
    QVERIFY(window->filterActionFor(ManualAction::MarkFailed)->isEnabled());
    QSignalSpy reported(window.get(), &MainWindow::actionReported);
    window->filterActionFor(ManualAction::MarkFailed)->trigger();
    ActionDialog *dialog = waitForDialog(*window);
    QVERIFY(dialog);
    QVERIFY2(dialog->message().contains(QString::number(north)), qPrintable(dialog->message()));
    // It says what the filter is: the calls it acts on are not all on screen.
    QVERIFY2(dialog->message().contains("Search: \"north clinic\""), qPrintable(dialog->message()));
    dialog->setReason("clinic closed for renovation");
    dialog->accept();
    QTRY_COMPARE(reported.count(), 1);
    QCOMPARE(reported.at(0).at(0).value<ActionOutcome>().changed(), northMarkable);
    QCOMPARE(
            scalar(m_db,
                   "SELECT count(*) FROM pending_calls WHERE failure_reason = 'clinic closed for renovation'")
                    .toInt(),
            northMarkable);
    QCOMPARE(scalar(m_db,
                    "SELECT count(*) FROM pending_calls WHERE clinic_name <> 'North Clinic' AND "
                    "failure_reason "
                    "= 'clinic closed for renovation'")
                     .toInt(),
             0);
}

void TestMainWindow::failureReasonFilterSaysHowMany()
{
    auto window = makeWindow();
    auto *reasons = window->findChild<QComboBox *>("failureReasonFilter");
    QVERIFY(reasons);
    QTRY_COMPARE(reasons->count(), 2); // "Any failure reason" and the one reason of the seed
    QCOMPARE(reasons->itemText(1), QStringLiteral("Max retries exceeded (6)"));
    QCOMPARE(reasons->itemData(1).toString(), QStringLiteral("Max retries exceeded"));
    reasons->setCurrentIndex(1);
    QTRY_COMPARE(window->model()->totalCount(), 6);
}

void TestMainWindow::stuckCallRaisesTheBanner()
{
    auto window = makeWindow();
    QSignalSpy counts(window.get(), &MainWindow::countsUpdated);
    QTRY_VERIFY(counts.count() > 0);
    QVERIFY(!window->stuckBanner()->isVisible());
    QVERIFY(!window->windowTitle().contains("stuck"));
    QCOMPARE(m_database->psql("UPDATE pending_calls SET workflow_state = 'calling', "
                              "state_changed_at = now() - interval '11 minutes' WHERE exam_id = 'EX-1002'"),
             0);
    QTRY_VERIFY(window->stuckBanner()->isVisible());
    QCOMPARE(window->stuckBanner()->stuckCount(), 1);
    QCOMPARE(window->stateList()->shownStuck(), 1);
    QVERIFY(window->windowTitle().contains("1 stuck"));

    // "Show" lists the stuck calls; "Reset all…" resets them after confirmation.
    window->stuckBanner()->findChild<QPushButton *>("stuckShow")->click();
    QTRY_COMPARE(window->model()->totalCount(), 1);
    QSignalSpy reported(window.get(), &MainWindow::actionReported);
    window->stuckBanner()->findChild<QPushButton *>("stuckResetAll")->click();
    ActionDialog *dialog = waitForDialog(*window);
    QVERIFY(dialog);
    QCOMPARE(dialog->action(), ManualAction::ResetStuck);
    dialog->accept();
    QTRY_COMPARE(reported.count(), 1);
    QCOMPARE(scalar(m_db, "SELECT workflow_state FROM pending_calls WHERE exam_id = 'EX-1002'").toString(),
             "retry_pending");
    QTRY_VERIFY(!window->stuckBanner()->isVisible());
    QTRY_VERIFY(!window->windowTitle().contains("stuck"));
}

// A dispatcher raises the threshold for calls being placed from 10 to 15 minutes: a call placed 11
// minutes ago is no longer stuck, the banner goes, and the console starts with 15 next time.
void TestMainWindow::stuckThresholdsAreEditedAppliedAndKept()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const Settings settings(dir.filePath("callops.conf"));
    auto window = makeWindow();
    window->setSettings(&settings);
    QCOMPARE(m_database->psql("UPDATE pending_calls SET workflow_state = 'calling', "
                              "state_changed_at = now() - interval '11 minutes' WHERE exam_id = 'EX-1002'"),
             0);
    QTRY_VERIFY(window->stuckBanner()->isVisible());

    // Reached from the View menu.
    QAction *open = window->menuBar()->findChild<QAction *>("stuckThresholdsAction");
    QVERIFY(open);
    open->trigger();
    StuckRulesDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = window->findChild<StuckRulesDialog *>()) && dialog->isVisible());
    QSpinBox *calling = dialog->minutesFor(WorkflowState::Calling);
    QVERIFY(calling);
    QCOMPARE(calling->value(), 10);
    QVERIFY(!dialog->minutesFor(WorkflowState::Completed)); // terminal states are never stuck
    // Restore defaults undoes an edit.
    calling->setValue(30);
    dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::RestoreDefaults)->click();
    QCOMPARE(calling->value(), 10);
    calling->setValue(15);
    dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();

    QTRY_VERIFY(!window->stuckBanner()->isVisible());
    QCOMPARE(window->counts().stuck, 0);
    QCOMPARE(window->stuckRules().thresholdSeconds(WorkflowState::Calling), 15 * 60);
    const StuckRules saved = StuckRules::fromSettings(settings);
    QCOMPARE(saved.thresholdSeconds(WorkflowState::Calling), 15 * 60);
    QCOMPARE(saved.thresholdSeconds(WorkflowState::Classifying), 10 * 60);
    QVERIFY(saved == window->stuckRules());
    QTRY_VERIFY(!window->findChild<StuckRulesDialog *>());

    // Back to 10 minutes: the call is stuck again.
    StuckRules lower = saved;
    lower.setThresholdSeconds(WorkflowState::Calling, 10 * 60);
    window->setStuckRules(lower);
    QTRY_VERIFY(window->stuckBanner()->isVisible());
    QCOMPARE(StuckRules::fromSettings(settings).thresholdSeconds(WorkflowState::Calling), 10 * 60);
}

// Thresholds from the settings file need not be whole minutes: a box shows them rounded up, and
// only a box the dispatcher changed writes its new value.
void TestMainWindow::stuckThresholdsLeftAloneKeepTheirSeconds()
{
    StuckRules rules;
    rules.setThresholdSeconds(WorkflowState::Calling, 90);
    rules.setThresholdSeconds(WorkflowState::Classifying, 150);
    StuckRulesDialog dialog(rules);
    QCOMPARE(dialog.minutesFor(WorkflowState::Calling)->value(), 2);
    QCOMPARE(dialog.minutesFor(WorkflowState::Classifying)->value(), 3);
    QVERIFY(dialog.rules() == rules);
    dialog.minutesFor(WorkflowState::Classifying)->setValue(4);
    QCOMPARE(dialog.rules().thresholdSeconds(WorkflowState::Classifying), 240);
    QCOMPARE(dialog.rules().thresholdSeconds(WorkflowState::Calling), 90);
}

void TestMainWindow::detailMasksTheDateOfBirth()
{
    auto window = makeWindow();
    QVERIFY(selectCall(*window, uuid(4)));
    QTRY_COMPARE(window->detailPane()->callId(), uuid(4));
    QCOMPARE(window->detailPane()->fieldText("exam"), "EX-1004");
    QCOMPARE(window->detailPane()->fieldText("dob"), CallDetailPane::maskedDob());
    QVERIFY(!window->detailPane()->fieldText("dob").contains("1980"));
    window->detailPane()->findChild<QPushButton *>("revealDob")->click();
    QCOMPARE(window->detailPane()->fieldText("dob"), "1980-01-05");
    QVERIFY(window->detailPane()->historyCount() >= 1);
    // Another call hides it again.
    QVERIFY(selectCall(*window, uuid(6)));
    QTRY_COMPARE(window->detailPane()->callId(), uuid(6));
    QCOMPARE(window->detailPane()->fieldText("dob"), CallDetailPane::maskedDob());
}

// A value with no place to wrap (a scheduler's long name) must not widen the details past the pane:
// it is cut at the edge and whole in its tooltip, and the other fields stay in view.
void TestMainWindow::detailFieldsStayInsideThePane()
{
    const QString longName = QStringLiteral("scheduler-%1").arg(QString(60, QLatin1Char('x')));
    QSqlQuery query(m_db);
    QVERIFY(query.prepare(QStringLiteral("UPDATE pending_calls SET locked_by = ? WHERE id = ?::uuid")));
    query.addBindValue(longName);
    query.addBindValue(uuid(4));
    QVERIFY2(query.exec(), qPrintable(query.lastError().text()));

    auto window = makeWindow();
    window->resize(1280, 800);
    QVERIFY(selectCall(*window, uuid(4)));
    QTRY_COMPARE(window->detailPane()->callId(), uuid(4));
    QCOMPARE(window->detailPane()->fieldText("lockedBy"), longName);
    auto *lockedBy = window->detailPane()->findChild<QLabel *>(QStringLiteral("lockedBy"));
    QCOMPARE(lockedBy->toolTip(), longName);

    auto *scroll = window->detailPane()->findChild<QScrollArea *>();
    QVERIFY(scroll && scroll->widget());
    QTRY_VERIFY(scroll->widget()->width() <= scroll->viewport()->width());
    QVERIFY2(lockedBy->width() < lockedBy->fontMetrics().horizontalAdvance(longName),
             "the pane should be narrower than the name for this test to mean anything");
    for (const char *field : {"exam", "phone", "clinic", "retries"}) {
        const auto *label = window->detailPane()->findChild<QLabel *>(QLatin1String(field));
        QVERIFY2(label->geometry().right() < scroll->viewport()->width(), field);
    }
}

// However a number was typed, the table shows it in one readable form (national in the console's
// region, international elsewhere) with what was stored in its tooltip; a number the engine cannot
// dial is shown as stored, in red, and says so.
void TestMainWindow::phonesAreShownAsPeopleReadThem()
{
    QSqlQuery query(m_db);
    QVERIFY(query.exec(QStringLiteral("UPDATE pending_calls SET phone = CASE id "
                                      "WHEN '%1' THEN '617.742.8435' WHEN '%2' THEN '+442079460767' "
                                      "WHEN '%3' THEN '555-12' END WHERE id IN ('%1', '%2', '%3')")
                               .arg(uuid(1), uuid(2), uuid(3))));
    QCOMPARE(query.numRowsAffected(), 3);

    auto window = makeWindow();
    QVERIFY(selectCall(*window, uuid(1)));
    QVERIFY(selectCall(*window, uuid(2)));
    QVERIFY(selectCall(*window, uuid(3)));
    CallTableModel *model = window->model();
    auto phone = [model](const QString &id, int role) {
        return model->index(model->rowOfCall(id), CallTableModel::Phone).data(role);
    };
    QCOMPARE(phone(uuid(1), Qt::DisplayRole).toString(), "(617) 742-8435");
    QCOMPARE(phone(uuid(1), Qt::ToolTipRole).toString(), "(617) 742-8435 (stored as “617.742.8435”)");
    QVERIFY(!phone(uuid(1), Qt::ForegroundRole).isValid());
    QCOMPARE(phone(uuid(2), Qt::DisplayRole).toString(), "+44 20 7946 0767");
    QCOMPARE(phone(uuid(3), Qt::DisplayRole).toString(), "555-12");
    QVERIFY(phone(uuid(3), Qt::ToolTipRole).toString().contains("not a number CallOps can dial"));
    QCOMPARE(phone(uuid(3), Qt::ForegroundRole).value<QColor>(), stateColors::color(WorkflowState::Failed));
    // Under a dark desktop palette the red is one readable on its dark rows.
    const auto restorePalette
            = qScopeGuard([light = QApplication::palette()] { QApplication::setPalette(light); });
    for (const auto &[name, palette] : desktopPalettes()) {
        QApplication::setPalette(palette);
        const QColor red = phone(uuid(3), Qt::ForegroundRole).value<QColor>();
        for (auto role : {QPalette::Base, QPalette::AlternateBase}) {
            const double ratio = readableColor::contrastRatio(red, palette.color(role));
            QVERIFY2(ratio >= 4.5, qPrintable(QStringLiteral("%1: %2:1").arg(name).arg(ratio)));
        }
    }

    QVERIFY(selectCall(*window, uuid(1)));
    QTRY_COMPARE(window->detailPane()->callId(), uuid(1));
    QCOMPARE(window->detailPane()->fieldText("phone"), "(617) 742-8435 (stored as “617.742.8435”)");

    // In the United Kingdom, a British number is national and an American one international.
    window->setPhoneRegion(QStringLiteral("GB"));
    window->refreshNow();
    QTRY_COMPARE(phone(uuid(2), Qt::DisplayRole).toString(), "020 7946 0767");
    QCOMPARE(phone(uuid(1), Qt::DisplayRole).toString(), "617.742.8435");
}

void TestMainWindow::injectionInSearchIsHarmless()
{
    auto window = makeWindow();
    QTRY_COMPARE(window->model()->totalCount(), 23);
    for (const QString term : {"'; DROP TABLE pending_calls; --", "' OR '1'='1", "%", "_"}) {
        window->searchField()->setText(term);
        QTRY_COMPARE(window->model()->totalCount(), 0);
    }
    window->searchField()->setText("(555) 200-0007");
    QTRY_COMPARE(window->model()->totalCount(), 1);
    QTRY_COMPARE(window->model()->rowCount(), 1);
    QCOMPARE(window->model()->index(0, CallTableModel::ExamId).data().toString(), "EX-1007");
    QCOMPARE(scalar(m_db, "SELECT count(*) FROM pending_calls").toInt(), 23);
}

void TestMainWindow::historyIsSearchedByReason()
{
    auto window = makeWindow();
    const QString id = scalar(m_db,
                              "SELECT id::text FROM pending_calls WHERE workflow_state = 'new' ORDER BY id "
                              "DESC LIMIT 1")
                               .toString();
    QVERIFY(selectCall(*window, id));
    QSignalSpy reported(window.get(), &MainWindow::actionReported);
    QVERIFY(markSelectedFailed(*window, "Employee left the company"));
    QTRY_COMPARE(reported.count(), 1);

    window->searchField()->setText("Employee 1");
    QTRY_VERIFY(window->model()->totalCount() > 1);
    window->showHistorySearch();
    auto *search = window->findChild<HistorySearchDialog *>();
    QVERIFY(search);
    QVERIFY(QTest::qWaitForWindowExposed(search));
    // Enter in the search field searches and leaves the dialog open for the next search.
    auto *text = search->findChild<QLineEdit *>("historySearchText");
    QVERIFY(text);
    text->setText("LEFT THE company");
    QTest::keyClick(text, Qt::Key_Return);
    QTRY_COMPARE(search->results()->topLevelItemCount(), 1);
    QVERIFY(search->isVisible());
    QCOMPARE(search->results()->topLevelItem(0)->text(2), systemAccount());
    QCOMPARE(search->results()->topLevelItem(0)->text(4), id);
    {
        // Searched again under a dark desktop palette: the state's colour is readable on its rows.
        const auto restorePalette
                = qScopeGuard([light = QApplication::palette()] { QApplication::setPalette(light); });
        const QPalette dark = desktopPalettes().at(1).second;
        QApplication::setPalette(dark);
        QCoreApplication::processEvents(); // the change reaches widgets through posted events
        search->search("LEFT THE company");
        auto worst = [&] {
            QTreeWidgetItem *item = search->results()->topLevelItem(0);
            if (!item)
                return 0.0;
            const QColor color = item->foreground(1).color();
            return std::min(readableColor::contrastRatio(color, dark.color(QPalette::Base)),
                            readableColor::contrastRatio(color, dark.color(QPalette::AlternateBase)));
        };
        QTRY_VERIFY2(worst() >= 4.5, qPrintable(QString::number(worst())));
    }
    // Activating the result shows that call.
    emit search->results()->itemActivated(search->results()->topLevelItem(0), 0);
    QTRY_COMPARE(window->detailPane()->callId(), id);
    QCOMPARE(window->model()->totalCount(), 1);
    search->search("no such reason");
    QTRY_COMPARE(search->results()->topLevelItemCount(), 0);
}

// Retries the selected calls through the confirmation dialog and waits for the outcome.
ActionOutcome TestMainWindow::retrySelected(MainWindow &window)
{
    QSignalSpy reported(&window, &MainWindow::actionReported);
    window.actionFor(ManualAction::RetryNow)->trigger();
    ActionOutcome missing;
    ActionDialog *dialog = waitForDialog(window);
    if (!dialog) {
        missing.error = QStringLiteral("no confirmation dialog");
        return missing;
    }
    dialog->accept();
    if (!QTest::qWaitFor([&] { return reported.count() == 1; })) {
        missing.error = QStringLiteral("no outcome reported");
        return missing;
    }
    return reported.at(0).at(0).value<ActionOutcome>();
}

// QStatusBar draws a temporary message (an action's result, a worker's error) between its left
// margin and the first visible permanent widget: that room must hold the message.
void TestMainWindow::statusMessagesHaveRoom()
{
    auto window = makeWindow();
    window->resize(1280, 800);
    QTRY_VERIFY(window->connectionText().startsWith("Connected"));
    QVERIFY(selectCall(*window, uuid(3))); // failed
    const ActionOutcome outcome = retrySelected(*window);
    QVERIFY2(outcome.ok(), qPrintable(outcome.error));
    QStatusBar *bar = window->statusBar();
    const QString message = bar->currentMessage();
    QVERIFY(message.contains(manualActions::actionLabel(ManualAction::RetryNow)));
    auto messageRoom = [&] {
        int right = bar->width();
        for (const char *name : {"connectionLabel", "refreshLabel", "schedulerLabel"}) {
            const auto *label = bar->findChild<QLabel *>(QLatin1String(name));
            if (label && label->isVisible())
                right = std::min(right, label->x());
        }
        return right - 6 - 2; // QStatusBar's left margin and its gap before the permanent widgets
    };
    const int needed = bar->fontMetrics().horizontalAdvance(message);
    QTRY_VERIFY2(messageRoom() >= needed,
                 qPrintable(QStringLiteral("\"%1\" needs %2 px, the status bar leaves %3")
                                    .arg(message)
                                    .arg(needed)
                                    .arg(messageRoom())));
}

// A refresh can take the selected call out of the table (retried out of the Failed filter): the
// details must not go on showing it, with its actions greyed out. Another call fails at the same
// time, so the row count stays and the call leaves in the model's layout change alone, which the
// selection model does not report (a removal of rows would be).
void TestMainWindow::detailsClearWhenTheCallLeavesTheTable()
{
    auto window = makeWindow();
    window->table()->sortByColumn(CallTableModel::ExamId, Qt::AscendingOrder);
    selectState(*window, WorkflowState::Failed);
    const int failed
            = scalar(m_db, "SELECT count(*) FROM pending_calls WHERE workflow_state = 'failed'").toInt();
    QTRY_COMPARE(window->model()->totalCount(), failed);
    QVERIFY(selectCall(*window, uuid(3)));
    QTRY_COMPARE(window->detailPane()->callId(), uuid(3));
    QVERIFY(window->actionFor(ManualAction::RetryNow)->isEnabled());

    QCOMPARE(m_database->psql("UPDATE pending_calls SET workflow_state = CASE exam_id WHEN 'EX-1003' "
                              "THEN 'retry_pending' ELSE 'failed' END WHERE exam_id IN ('EX-1003', "
                              "'EX-1004')"),
             0);
    QTRY_VERIFY(window->model()->rowOfCall(uuid(4)) >= 0);
    QCOMPARE(window->model()->rowOfCall(uuid(3)), -1);
    QCOMPARE(window->model()->rowCount(), failed);
    QTRY_VERIFY(window->detailPane()->callId().isEmpty());
    QVERIFY(!window->actionFor(ManualAction::RetryNow)->isEnabled());
}

// When the selected call leaves a table that gets shorter, the current row moves to a call nobody
// selected. A refresh (F5, the timer, the one after an action) must not show that call in the pane,
// beside actions that are greyed out because nothing is selected.
void TestMainWindow::detailsStayClearAfterARefresh()
{
    auto window = makeWindow();
    window->table()->sortByColumn(CallTableModel::ExamId, Qt::AscendingOrder);
    selectState(*window, WorkflowState::Failed);
    QTRY_COMPARE(window->model()->totalCount(), 3); // EX-1003, EX-1010, EX-1017
    QVERIFY(selectCall(*window, uuid(3)));
    QTRY_COMPARE(window->detailPane()->callId(), uuid(3));

    QCOMPARE(m_database->psql("UPDATE pending_calls SET workflow_state = 'retry_pending' "
                              "WHERE exam_id = 'EX-1003'"),
             0);
    QTRY_COMPARE(window->model()->rowCount(), 2);
    QTRY_VERIFY(window->detailPane()->callId().isEmpty());
    QVERIFY(window->table()->selectionModel()->selectedRows().isEmpty());

    // Everything the worker was asked is answered and its answers delivered, three times over: a
    // refresh asked for while another runs goes out when that one's answer arrives.
    ConsoleWorker *worker = window->worker();
    const auto settle = [worker] {
        for (int round = 0; round < 3; ++round) {
            QMetaObject::invokeMethod(
                    worker, [] {}, Qt::BlockingQueuedConnection);
            QCoreApplication::sendPostedEvents();
        }
    };
    settle();
    window->refreshNow();
    settle();
    QVERIFY2(window->detailPane()->callId().isEmpty(), qPrintable(window->detailPane()->callId()));
}

// A refresh that shortens the table keeps the selection on a call that moved up from a row past the
// new end (the rows at the end must not go before the selection has moved).
void TestMainWindow::selectionFollowsACallThatMovesUp()
{
    auto window = makeWindow();
    QAbstractItemModelTester tester(window->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    window->table()->sortByColumn(CallTableModel::ExamId, Qt::AscendingOrder);
    selectState(*window, WorkflowState::Failed);
    QTRY_COMPARE(window->model()->totalCount(), 3); // EX-1003, EX-1010, EX-1017
    QVERIFY(selectCall(*window, uuid(17)));
    QCOMPARE(window->model()->rowOfCall(uuid(17)), 2);
    QTRY_COMPARE(window->detailPane()->callId(), uuid(17));

    QCOMPARE(m_database->psql("UPDATE pending_calls SET workflow_state = 'retry_pending' "
                              "WHERE exam_id = 'EX-1003'"),
             0);
    QTRY_COMPARE(window->model()->rowCount(), 2);
    QCOMPARE(window->model()->rowOfCall(uuid(17)), 1);
    const QModelIndexList selected = window->table()->selectionModel()->selectedRows();
    QCOMPARE(selected.size(), 1);
    QCOMPARE(selected.first().data(CallTableModel::CallIdRole).toString(), uuid(17));
    QCOMPARE(window->table()->currentIndex().row(), 1);
    QCOMPARE(window->detailPane()->callId(), uuid(17));
    QVERIFY(window->actionFor(ManualAction::RetryNow)->isEnabled());
}

// Tab moves between the filter bar, the table and the details, not from cell to cell.
void TestMainWindow::tabLeavesTheTable()
{
    auto window = makeWindow();
    QVERIFY(QTest::qWaitForWindowActive(window.get()));
    QVERIFY(selectCall(*window, uuid(4)));
    QTRY_COMPARE(window->detailPane()->callId(), uuid(4));
    QTableView *table = window->table();
    table->setFocus(Qt::TabFocusReason);
    QTRY_VERIFY(table->hasFocus());
    QTest::keyClick(table, Qt::Key_Tab);
    QVERIFY(!table->hasFocus());
    QVERIFY(window->detailPane()->isAncestorOf(QApplication::focusWidget()));
    table->setFocus(Qt::TabFocusReason);
    QTRY_VERIFY(table->hasFocus());
    // Backtab without Shift held: a simulated Shift outlives the focus change and would stay down
    // for the tests after this one.
    QTest::keyClick(table, Qt::Key_Backtab);
    QVERIFY(!table->hasFocus());
    QCOMPARE(QApplication::focusWidget(), window->findChild<QWidget *>("periodFilter"));
}

// While the database is disconnected the manual actions are greyed out (they could only fail, after
// the dispatcher typed a reason); they come back with the connection.
void TestMainWindow::lostSessionIsNoticedBetweenRefreshes()
{
    auto window = makeWindow();
    QTRY_VERIFY(window->connectionText().startsWith("Connected"));
    window->setRefreshIntervalSeconds(600); // only the console's own probe can notice in time
    endConsoleSession(*window);
    QTRY_VERIFY(window->findChild<OfflineBanner *>()->isVisibleTo(window.get()));
}

void TestMainWindow::actionsWaitForTheConnection()
{
    auto window = makeWindow();
    QTRY_VERIFY(window->connectionText().startsWith("Connected"));
    QVERIFY(selectCall(*window, uuid(3))); // failed
    QTRY_VERIFY(window->actionFor(ManualAction::RetryNow)->isEnabled());
    QTRY_VERIFY(window->filterActionFor(ManualAction::RetryNow)->isEnabled());

    // The server refuses new connections and the console's is closed: every attempt to reconnect
    // (the next request opens a fresh one) fails until the database lets it in again.
    QCOMPARE(admitConnections(false), QString());
    ConsoleWorker *worker = window->worker();
    QMetaObject::invokeMethod(worker, [worker] { worker->closeDatabase(); });
    QTRY_VERIFY(window->connectionText().startsWith("Not connected"));
    // What stays on screen says it is not live, and since when.
    auto *offline = window->findChild<OfflineBanner *>();
    QVERIFY(offline);
    QTRY_VERIFY(offline->isVisibleTo(window.get()));
    // "Not connected" is red, readable in the status bar of a light or a dark desktop.
    auto *connectionLabel = window->findChild<QLabel *>(QStringLiteral("connectionLabel"));
    QVERIFY(connectionLabel);
    const auto restorePalette
            = qScopeGuard([light = QApplication::palette()] { QApplication::setPalette(light); });
    for (const auto &[name, palette] : desktopPalettes()) {
        QApplication::setPalette(palette);
        QCoreApplication::processEvents(); // the change reaches widgets through posted events
        const double drawn = drawnContrast(connectionLabel);
        QVERIFY2(drawn >= 4.5, qPrintable(QStringLiteral("%1: %2:1").arg(name).arg(drawn)));
    }
    QVERIFY2(offline->text().contains("Not live"), qPrintable(offline->text()));
    window->refreshNow();
    QTest::qWait(200);
    QVERIFY(window->connectionText().startsWith("Not connected"));
    QCOMPARE(window->model()->rowOfCall(uuid(3)) >= 0, true);
    QVERIFY(window->table()->selectionModel()->hasSelection());
    for (ManualAction action : manualActions::all()) {
        QVERIFY2(!window->actionFor(action)->isEnabled(), qPrintable(manualActions::actionName(action)));
        QVERIFY2(!window->filterActionFor(action)->isEnabled(),
                 qPrintable(manualActions::actionName(action)));
    }
    // Nor does a request from elsewhere (the stuck banner's Reset all…) ask for a reason.
    window->requestAction(ManualAction::RetryNow, false);
    window->requestAction(ManualAction::ResetStuck, true);
    QTest::qWait(100);
    QVERIFY(!window->findChild<ActionDialog *>());
    QVERIFY(!window->statusBar()->currentMessage().isEmpty());

    // Reconnect now connects again; the table starts over and the banner goes.
    QCOMPARE(admitConnections(true), QString());
    offline->findChild<QPushButton *>("offlineReconnect")->click();
    QTRY_VERIFY(window->connectionText().startsWith("Connected"));
    QVERIFY(!offline->isVisibleTo(window.get()));
    QVERIFY(selectCall(*window, uuid(3)));
    QTRY_VERIFY(window->actionFor(ManualAction::RetryNow)->isEnabled());
    QTRY_VERIFY(window->filterActionFor(ManualAction::RetryNow)->isEnabled());
}

// A database CallOps has not migrated was "cannot be reached": the dispatcher waited for a network
// that was fine, while the console reconnected dozens of times a second.
void TestMainWindow::databaseNotMigratedSaysWhatToDo()
{
    TestDatabase bare(QStringLiteral("bare"));
    QVERIFY2(bare.isValid(), qPrintable(bare.error()));
    auto window = std::make_unique<MainWindow>();
    window->setRefreshIntervalSeconds(1);
    window->connectToDatabase(bare.url());
    window->show();
    auto *offline = window->findChild<OfflineBanner *>();
    QVERIFY(offline);
    QTRY_VERIFY(offline->isVisibleTo(window.get()));
    QVERIFY2(offline->text().contains("has no CallOps tables yet: run callops --migrate against it")
                     && offline->text().contains("looks again by itself")
                     && !offline->text().contains("cannot be reached"),
             qPrintable(offline->text()));
    QVERIFY(window->connectionText().startsWith("Not connected"));
    auto *total = window->findChild<QLabel *>(QStringLiteral("totalLabel"));
    QVERIFY(total);
    QVERIFY2(!total->text().contains("Counting"), qPrintable(total->text())); // nothing is

    // Once someone migrates it, the console comes live by itself.
    QVERIFY2(bare.migrate(), qPrintable(bare.error()));
    QTRY_VERIFY_WITH_TIMEOUT(window->connectionText().startsWith("Connected"), 15000);
    QVERIFY(!offline->isVisibleTo(window.get()));
    QTRY_VERIFY2(total->text().startsWith("0 call"), qPrintable(total->text()));
}

// A role that may read everything but run no manual action (an auditor's) was offered every
// action, and each failed with "permission denied for function" after the reason was typed.
void TestMainWindow::roleThatMayOnlyReadIsNotOfferedActions()
{
    const QString auditor
            = QStringLiteral("callops_console_auditor_%1").arg(QRandomGenerator::global()->generate());
    const QString password = QStringLiteral("Auditor-Pass-42");
    QString output;
    QCOMPARE(m_database->psql(QStringLiteral("CREATE ROLE %1 LOGIN PASSWORD '%2'; "
                                             "GRANT SELECT ON ALL TABLES IN SCHEMA public TO %1;")
                                      .arg(auditor, password),
                              &output),
             0);
    auto window = std::make_unique<MainWindow>();
    const auto dropAuditor = qScopeGuard([&] {
        window.reset();
        m_database->psql(
                QStringLiteral("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '%1'")
                        .arg(auditor));
        m_database->psql(QStringLiteral("DROP OWNED BY %1; DROP ROLE IF EXISTS %1").arg(auditor));
    });
    window->setRefreshIntervalSeconds(3600);
    window->connectToDatabase(
            QStringLiteral("postgresql://%1:%2@%3/%4")
                    .arg(auditor, password, m_database->settings().endpoint(), m_database->name()));
    window->show();
    QTRY_VERIFY(window->connectionText().startsWith("Connected"));
    QVERIFY2(window->connectionText().contains("read only"), qPrintable(window->connectionText()));
    // Everything is there to read ...
    QVERIFY(selectCall(*window, uuid(3))); // failed: Retry now would apply
    QTRY_COMPARE(window->detailPane()->callId(), uuid(3));
    // ... and nothing is offered to change, nor asked for from elsewhere (the stuck banner).
    for (ManualAction action : manualActions::all()) {
        QVERIFY2(!window->actionFor(action)->isEnabled(), qPrintable(manualActions::actionName(action)));
        QVERIFY2(!window->filterActionFor(action)->isEnabled(),
                 qPrintable(manualActions::actionName(action)));
    }
    window->requestAction(ManualAction::ResetStuck, true);
    QTest::qWait(100);
    QVERIFY(!window->findChild<ActionDialog *>());
    QVERIFY2(window->statusBar()->currentMessage().contains("may only read"),
             qPrintable(window->statusBar()->currentMessage()));
}

// A refused login (a wrong password) was tried again by every request of every refresh, a dozen
// failed logins a minute: Supabase bans an address for that.
void TestMainWindow::refusedLoginIsNotTriedAgainByItself()
{
    const QString user
            = QStringLiteral("callops_console_refused_%1").arg(QRandomGenerator::global()->generate());
    auto window = std::make_unique<MainWindow>();
    window->setRefreshIntervalSeconds(1);
    window->connectToDatabase(QStringLiteral("postgresql://%1:not-the-Password-42@%2/%3")
                                      .arg(user, m_database->settings().endpoint(), m_database->name()));
    window->show();
    auto *offline = window->findChild<OfflineBanner *>();
    QVERIFY(offline);
    QTRY_VERIFY(m_database->cluster().failedLogins(user) >= 1);
    // Four refreshes, each asking for the counts, the filter lists and a page.
    QTest::qWait(4000);
    QCOMPARE(m_database->cluster().failedLogins(user), 1);
    QVERIFY(offline->isVisibleTo(window.get()));
    QVERIFY2(offline->text().contains("refused the login"), qPrintable(offline->text()));
    // Reconnect now is the dispatcher's say-so: one try more, and only one.
    offline->findChild<QPushButton *>("offlineReconnect")->click();
    QTRY_COMPARE(m_database->cluster().failedLogins(user), 2);
    QTest::qWait(2000);
    QCOMPARE(m_database->cluster().failedLogins(user), 2);
    // Settings put right connect at once.
    window->connectToDatabase(m_database->url());
    QTRY_VERIFY(window->connectionText().startsWith("Connected"));
    QVERIFY(!offline->isVisibleTo(window.get()));
}

bool TestMainWindow::startActionHeldUp(MainWindow &window, const QString &id, const TableLock &lock)
{
    if (!lock.isHeld() || !selectCall(window, id)
        || !QTest::qWaitFor([&] { return window.actionFor(ManualAction::RetryNow)->isEnabled(); }))
        return false;
    window.actionFor(ManualAction::RetryNow)->trigger();
    ActionDialog *dialog = waitForDialog(window);
    if (!dialog)
        return false;
    dialog->setReason(QStringLiteral("number corrected"));
    dialog->accept();
    return QTest::qWaitFor([this] { return consoleWaitingOnALock() == 1; }, 10000);
}

QString TestMainWindow::closeAnswering(MainWindow &window, const QString &choice)
{
    QString question;
    QTimer answerer;
    answerer.setInterval(20);
    connect(&answerer, &QTimer::timeout, this, [&] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box || box->objectName() != QLatin1String("closeUnderActionBox"))
            return;
        question = box->text();
        if (auto *button = box->findChild<QAbstractButton *>(choice))
            button->click();
        else
            box->button(QMessageBox::Cancel)->click();
    });
    answerer.start();
    window.close();
    return question;
}

// A manual action takes seconds on many calls (Retry now on 71,000: 13 s). Closing the window
// then went on as if nothing ran: the window went and the worker was left to finish or not.
void TestMainWindow::closingWaitsForAManualActionWhenAsked()
{
    auto window = makeWindow();
    QTRY_VERIFY(window->connectionText().startsWith("Connected"));
    TableLock lock(*m_database, QStringLiteral("pending_calls"));
    QVERIFY(startActionHeldUp(*window, uuid(3), lock));

    // Cancel: nothing closes.
    QVERIFY(!closeAnswering(*window, QString()).isEmpty());
    QVERIFY(window->isVisible());
    // Quit when done: the window stays while the action waits, and goes once it is written.
    const QString question = closeAnswering(*window, QStringLiteral("quitWhenDone"));
    QVERIFY2(question.contains("still being written"), qPrintable(question));
    QTest::qWait(200);
    QVERIFY(window->isVisible());
    lock.release();
    QTRY_VERIFY(!window->isVisible());
    QCOMPARE(scalar(m_db, "SELECT workflow_state FROM pending_calls WHERE id = ?", {uuid(3)}).toString(),
             QStringLiteral("new"));
}

// Quit now under an action held up on the server: the window goes, the console's session ends
// a few seconds later (no waiting for ever on a server that does not answer), and the server
// undoes the action rather than write it after the console has gone.
void TestMainWindow::closingNowUndoesTheActionNotWritten()
{
    const int historyBefore
            = scalar(m_db, "SELECT count(*) FROM workflow_events WHERE pending_call_id = ?", {uuid(3)})
                      .toInt();
    auto window = makeWindow();
    QTRY_VERIFY(window->connectionText().startsWith("Connected"));
    TableLock lock(*m_database, QStringLiteral("pending_calls"));
    QVERIFY(startActionHeldUp(*window, uuid(3), lock));
    QVERIFY(!closeAnswering(*window, QStringLiteral("quitNow")).isEmpty());
    QVERIFY(!window->isVisible());
    window.reset();
    QTRY_COMPARE_WITH_TIMEOUT(
            scalar(m_db,
                   "SELECT count(*) FROM pg_stat_activity "
                   "WHERE datname = current_database() AND application_name = 'callops-console'")
                    .toInt(),
            0, 20000);
    lock.release();
    QCOMPARE(scalar(m_db, "SELECT workflow_state FROM pending_calls WHERE id = ?", {uuid(3)}).toString(),
             QStringLiteral("failed"));
    QCOMPARE(
            scalar(m_db, "SELECT count(*) FROM workflow_events WHERE pending_call_id = ?", {uuid(3)}).toInt(),
            historyBefore);
}

// The connection went while the confirmation was open: the action failed with a message box, and
// the reason typed in it was gone when the dispatcher tried again.
void TestMainWindow::reasonOfAFailedActionIsKept()
{
    const QString reason = QStringLiteral("Clinic asked to be called back after lunch");
    auto window = makeWindow();
    QTRY_VERIFY(window->connectionText().startsWith("Connected"));
    QVERIFY(selectCall(*window, uuid(3))); // failed
    QTRY_VERIFY(window->actionFor(ManualAction::RetryNow)->isEnabled());
    window->actionFor(ManualAction::RetryNow)->trigger();
    ActionDialog *dialog = waitForDialog(*window);
    QVERIFY(dialog);
    dialog->setReason(reason);

    QCOMPARE(admitConnections(false), QString());
    ConsoleWorker *worker = window->worker();
    QMetaObject::invokeMethod(worker, [worker] { worker->closeDatabase(); });
    QTRY_VERIFY(window->connectionText().startsWith("Not connected"));
    QString warning;
    QTimer closer;
    closer.setInterval(20);
    connect(&closer, &QTimer::timeout, this, [&] {
        if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
            warning = box->text();
            box->close();
        }
    });
    closer.start();
    dialog->accept();
    QTRY_VERIFY(!warning.isEmpty());
    closer.stop();
    QVERIFY2(warning.contains("The reason you gave is kept"), qPrintable(warning));

    QCOMPARE(admitConnections(true), QString());
    window->findChild<OfflineBanner *>()->findChild<QPushButton *>("offlineReconnect")->click();
    QTRY_VERIFY(window->connectionText().startsWith("Connected"));
    QVERIFY(selectCall(*window, uuid(3)));
    QTRY_VERIFY(window->actionFor(ManualAction::RetryNow)->isEnabled());
    window->actionFor(ManualAction::RetryNow)->trigger();
    dialog = waitForDialog(*window);
    QVERIFY(dialog);
    QCOMPARE(dialog->reason(), reason);
    QSignalSpy reported(window.get(), &MainWindow::actionReported);
    dialog->accept();
    QTRY_COMPARE(reported.size(), 1);
    QVERIFY(reported.first().at(0).value<ActionOutcome>().ok());
    QTRY_COMPARE(scalar(m_db, "SELECT workflow_state FROM pending_calls WHERE id = ?", {uuid(3)}).toString(),
                 QStringLiteral("new"));
    // Done: the next confirmation starts blank.
    QTRY_VERIFY(selectCall(*window, uuid(10))); // failed
    QTRY_VERIFY(window->actionFor(ManualAction::RetryNow)->isEnabled());
    window->actionFor(ManualAction::RetryNow)->trigger();
    dialog = waitForDialog(*window);
    QVERIFY(dialog);
    QCOMPARE(dialog->reason(), QString());
    dialog->reject();
}

// Reset stuck or Mark failed on a call still live frees its number for another call while it goes
// on; only a stuck one takes them (the database checks again).
void TestMainWindow::liveCallsTakeNoActionUntilStuck()
{
    QCOMPARE(m_database->psql(
                     "UPDATE pending_calls SET workflow_state = 'calling', state_changed_at = now() - "
                     "CASE exam_id WHEN 'EX-1001' THEN interval '1 minute' ELSE interval '11 minutes' END "
                     "WHERE exam_id IN ('EX-1001', 'EX-1002')"),
             0);
    auto window = makeWindow();
    QVERIFY(selectCall(*window, uuid(1)));
    QVERIFY(!window->actionFor(ManualAction::ResetStuck)->isEnabled());
    QVERIFY(!window->actionFor(ManualAction::MarkFailed)->isEnabled());
    QVERIFY(selectCall(*window, uuid(2)));
    QVERIFY(window->actionFor(ManualAction::ResetStuck)->isEnabled());
    QVERIFY(window->actionFor(ManualAction::MarkFailed)->isEnabled());
    // Both selected: the confirmation counts the stuck one only.
    const int row = window->model()->rowOfCall(uuid(1));
    window->table()->selectionModel()->select(window->model()->index(row, 0),
                                              QItemSelectionModel::Select | QItemSelectionModel::Rows);
    window->actionFor(ManualAction::ResetStuck)->trigger();
    ActionDialog *dialog = waitForDialog(*window);
    QVERIFY(dialog);
    QVERIFY2(dialog->message().contains("Only 1 of them"), qPrintable(dialog->message()));
    QSignalSpy reported(window.get(), &MainWindow::actionReported);
    dialog->accept();
    QTRY_COMPARE(reported.size(), 1);
    QCOMPARE(reported.first().at(0).value<ActionOutcome>().changed(), 1);
    QCOMPARE(scalar(m_db, "SELECT workflow_state FROM pending_calls WHERE id = ?", {uuid(1)}).toString(),
             QStringLiteral("calling"));
    QCOMPARE(scalar(m_db, "SELECT workflow_state FROM pending_calls WHERE id = ?", {uuid(2)}).toString(),
             QStringLiteral("retry_pending"));
}

// A desktop whose clock is minutes off the database's (TestMainWindowClockOff runs this under
// libfaketime, 20 minutes behind): the stuck thresholds and "in state for up to" are the
// database's, as its stuck count and its own checks of every action are.
void TestMainWindow::consoleGoesByTheDatabasesClock()
{
    const QDateTime database = scalar(m_db, "SELECT clock_timestamp()").toDateTime().toUTC();
    const qint64 offBy = qAbs(QDateTime::currentDateTimeUtc().secsTo(database));
    if (offBy < 10 * 60)
        QSKIP("needs this process's clock 20 minutes off the database's: ctest runs it as "
              "TestMainWindowClockOff");
    QCOMPARE(m_database->psql("UPDATE pending_calls SET state_changed_at = now() - interval '70 minutes'"),
             0);
    QCOMPARE(m_database->psql(
                     "UPDATE pending_calls SET workflow_state = 'calling', state_changed_at = now() - "
                     "CASE exam_id WHEN 'EX-1001' THEN interval '12 minutes' ELSE interval '2 minutes' END "
                     "WHERE exam_id IN ('EX-1001', 'EX-1002')"),
             0);
    auto window = makeWindow();
    // Calling for 12 minutes is stuck (10 by default) whatever this computer's clock says.
    QVERIFY(selectCall(*window, uuid(1)));
    QTRY_VERIFY(window->actionFor(ManualAction::ResetStuck)->isEnabled());
    QVERIFY(selectCall(*window, uuid(2)));
    QVERIFY(!window->actionFor(ManualAction::ResetStuck)->isEnabled());
    // In state for up to 1 hour: the two calls of the last minutes, not the 21 of 70 minutes ago.
    auto *period = window->findChild<QComboBox *>(QStringLiteral("periodFilter"));
    QVERIFY(period);
    period->setCurrentIndex(1);
    QTRY_COMPARE(window->model()->rowCount(), 2);
    QVERIFY(window->model()->rowOfCall(uuid(1)) >= 0);
    QVERIFY(window->model()->rowOfCall(uuid(2)) >= 0);
}

// The confirmation for a few selected calls names them (exam and employee): the table reorders
// live under the mouse, and the dispatcher should see what is really selected.
void TestMainWindow::confirmationNamesFewSelectedCalls()
{
    auto window = makeWindow();
    CallTableModel *model = window->model();
    QItemSelectionModel *selection = window->table()->selectionModel();
    auto alsoSelect = [&](int n) {
        const int row = model->rowOfCall(uuid(n));
        QVERIFY(row >= 0);
        selection->select(model->index(row, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    };
    auto confirmationText = [&] {
        window->actionFor(ManualAction::RetryNow)->trigger();
        ActionDialog *dialog = waitForDialog(*window);
        if (!dialog)
            return QStringLiteral("no dialog");
        const QString text = dialog->message();
        dialog->reject();
        if (!QTest::qWaitFor([&] { return !window->findChild<ActionDialog *>(); }))
            return QStringLiteral("the dialog stayed");
        return text;
    };

    QVERIFY(selectCall(*window, uuid(3))); // failed
    alsoSelect(10); // failed
    QString text = confirmationText();
    for (const char *part : {"EX-1003", "Employee 3", "EX-1010", "Employee 10"})
        QVERIFY2(text.contains(QLatin1String(part)), qPrintable(text));
    QVERIFY2(!text.contains("EX-1017"), qPrintable(text));

    // Six are counted, not listed.
    for (int n : {17, 4, 5, 6})
        alsoSelect(n);
    QCOMPARE(selection->selectedRows().size(), 6);
    text = confirmationText();
    QVERIFY2(text.contains("6"), qPrintable(text));
    QVERIFY2(!text.contains("EX-"), qPrintable(text));
}

// The demo runs its own database: File → Connection… is greyed out there and says why.
void TestMainWindow::connectionChangeCanBeDisabled()
{
    MainWindow window;
    auto *connection = window.findChild<QAction *>("connectionAction");
    QVERIFY(connection);
    QVERIFY(connection->isEnabled());
    window.disableConnectionChange("The demo runs its own database.");
    QVERIFY(!connection->isEnabled());
    QCOMPARE(connection->toolTip(), "The demo runs its own database.");
    QSignalSpy requested(&window, &MainWindow::connectionRequested);
    connection->trigger();
    QCOMPARE(requested.count(), 0);
}

// A fresh account (a server, a minimal desktop) has no ~/Documents: the export dialog's first
// suggestion is still a file it can write, and Export writes it.
void TestMainWindow::firstExportWorksWithoutADocumentsFolder()
{
    QTemporaryDir home;
    QVERIFY(home.isValid());
    const QByteArray oldHome = qgetenv("HOME");
    const QByteArray oldConfig = qgetenv("XDG_CONFIG_HOME");
    qputenv("HOME", QFile::encodeName(home.path()));
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(home.filePath(".config")));
    const auto restore = qScopeGuard([&] {
        qputenv("HOME", oldHome);
        oldConfig.isNull() ? qunsetenv("XDG_CONFIG_HOME") : qputenv("XDG_CONFIG_HOME", oldConfig);
    });
    QVERIFY(!QFileInfo::exists(home.filePath("Documents")));

    auto window = makeWindow();
    ExportDialog dialog(window->worker(), window.get());
    auto *path = dialog.findChild<QLineEdit *>("exportPath");
    QVERIFY(path);
    QVERIFY2(QFileInfo(path->text()).absoluteDir().exists(), qPrintable(path->text()));
    QSignalSpy finished(window->worker(), &ConsoleWorker::exportFinished);
    auto *buttons = dialog.findChild<QDialogButtonBox *>();
    QAbstractButton *exportButton = nullptr;
    for (QAbstractButton *button : buttons->buttons()) {
        if (buttons->buttonRole(button) == QDialogButtonBox::AcceptRole)
            exportButton = button;
    }
    QVERIFY(exportButton);
    exportButton->click();
    QTRY_COMPARE(finished.count(), 1);
    QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
    QVERIFY(QFileInfo::exists(path->text()));
}

// callops --demo opens the console with the scheduler already running against a simulator: the
// window says it is the demo, and the scheduler panel no longer says it is off by default.
void TestMainWindow::demoSaysItIsTheDemo()
{
    MainWindow window;
    auto *note = window.findChild<QLabel *>("schedulerNote");
    QVERIFY(note);
    const QString consoleNote = note->text();
    QVERIFY(!window.windowTitle().contains("demo", Qt::CaseInsensitive));
    window.showAsDemo();
    QVERIFY2(window.windowTitle().contains("demo", Qt::CaseInsensitive), qPrintable(window.windowTitle()));
    QVERIFY(note->text() != consoleNote);
    QVERIFY2(note->text().contains("simulator"), qPrintable(note->text()));
}

void TestMainWindow::repaintsLeaveThePixmapCacheAlone()
{
    // The console repaints its table at every refresh, several times a second while calls move.
    // A state colour given to the view as a QColor became a new pixmap and icon at each paint,
    // each cached under a key of its own: in a soak the cache was full of copies within ten
    // minutes (18 MB of heap) and everything else cached in it was pushed out.
    auto window = makeWindow();
    QTRY_VERIFY(window->model()->rowCount() > 0);
    const int limit = QPixmapCache::cacheLimit();
    auto restore = qScopeGuard([limit] {
        QPixmapCache::clear();
        QPixmapCache::setCacheLimit(limit);
    });
    QPixmapCache::clear();
    QPixmapCache::setCacheLimit(256); // KB
    QPixmap sentinel(32, 32);
    sentinel.fill(Qt::black);
    QVERIFY(QPixmapCache::insert(QStringLiteral("sentinel"), sentinel));
    QTableView *table = window->table();
    table->scrollTo(window->model()->index(0, CallTableModel::State));
    QVERIFY(table->viewport()->rect().intersects(
            table->visualRect(window->model()->index(0, CallTableModel::State))));
    for (int paint = 0; paint < 500; ++paint)
        table->viewport()->grab();
    QPixmap found;
    QVERIFY2(QPixmapCache::find(QStringLiteral("sentinel"), &found),
             "500 paints of the table pushed an unrelated pixmap out of a 256 KB cache");
}

// A dispatcher sees whether calls are being placed at all: a scheduler running on a server (or in
// another console) is named in the status bar, one that stopped reporting is not, and none is said.
void TestMainWindow::schedulersElsewhereAreShown()
{
    auto window = makeWindow();
    auto *label = window->findChild<QLabel *>(QStringLiteral("schedulerLabel"));
    QVERIFY(label);
    QTRY_COMPARE(label->text(), QStringLiteral("Scheduler: none running on this database"));
    QVERIFY(label->toolTip().contains(QStringLiteral("--no-gui")));
    // Nothing places calls: said in the error's colour, not as a line like the others.
    const QColor plain = window->statusBar()->palette().color(QPalette::WindowText);
    QVERIFY(label->palette().color(label->foregroundRole()) != plain);

    QSqlQuery query(m_db);
    QVERIFY2(query.exec(QStringLiteral("INSERT INTO callops_scheduler_presence (scheduler_id, host, pid, "
                                       "started_at, seen_at, "
                                       "last_pass_at) VALUES "
                                       "('srv-1:42:ab12', 'srv-1', 42, now() - interval '1 hour', now(), "
                                       "now() - interval '10 s'), "
                                       "('srv-9:7:cd34', 'srv-9', 7, now() - interval '1 day', now() - "
                                       "interval '10 minutes', NULL), "
                                       "('own', '%1', %2, now(), now(), NULL)")
                                .arg(QSysInfo::machineHostName())
                                .arg(QCoreApplication::applicationPid())),
             qPrintable(query.lastError().text()));
    window->refreshNow();
    // This console's own engine is the Scheduler panel's business, and srv-9 stopped reporting.
    QTRY_COMPARE(label->text(), QStringLiteral("Scheduler: running on srv-1"));
    QCOMPARE(label->palette().color(label->foregroundRole()), plain);
    QVERIFY2(label->toolTip().contains(QStringLiteral("srv-1, process 42, a service")),
             qPrintable(label->toolTip()));
    QVERIFY2(label->toolTip().contains(QStringLiteral("last pass 10 s ago")), qPrintable(label->toolTip()));
    QVERIFY(!label->toolTip().contains(QStringLiteral("srv-9")));

    QVERIFY(query.exec("UPDATE callops_scheduler_presence SET paused = true, started_by = 'maria', "
                       "seen_at = now() WHERE host = 'srv-1'"));
    window->refreshNow();
    QTRY_COMPARE(label->text(), QStringLiteral("Scheduler: paused on srv-1 (console of maria)"));
    QVERIFY(query.exec("UPDATE callops_scheduler_presence SET paused = false, held_reason = 'The guide''s "
                       "scheduler is still active', seen_at = now() WHERE host = 'srv-1'"));
    window->refreshNow();
    QTRY_COMPARE(label->text(), QStringLiteral("Scheduler: holding calls on srv-1 (console of maria)"));
    QVERIFY(label->toolTip().contains(
            QStringLiteral("holding calls: The guide's scheduler is still active")));

    QVERIFY(query.exec("UPDATE callops_scheduler_presence SET seen_at = now() WHERE host = 'srv-9'"));
    window->refreshNow();
    QTRY_COMPARE(label->text(), QStringLiteral("Schedulers: 2 running elsewhere"));

    QVERIFY(query.exec("DELETE FROM callops_scheduler_presence"));
    window->refreshNow();
    QTRY_COMPARE(label->text(), QStringLiteral("Scheduler: none running on this database"));
}

QTEST_MAIN(TestMainWindow)
#include "TestMainWindow.moc"
