// Measures the console against a big database (scripts/console-bench.sh seeds a million calls, or
// bench/sql/console_seed.sql): how long what a dispatcher does takes to show its answer — the first
// page, sorting by each column, searching, each filter and some combinations, paging down, selecting
// a call, a manual action on one and on many calls, a refresh with a filter on — and the longest the
// GUI thread went without running its event loop meanwhile. "table" is the time until the table
// shows the new rows, "count" until the number of matching calls is shown too. Not a test.
#include "MainWindow.h"
#include "calls/CallDetailPane.h"
#include "calls/CallTableModel.h"
#include "dashboard/StateListView.h"
#include "dialogs/ActionDialog.h"

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QTableView>
#include <QTest>
#include <QTextStream>
#include <QTimer>

#include <functional>

using namespace callops;

namespace {

constexpr int kWaitMs = 120000;

// Waits for the console to settle before the next measurement; one that never does is said, since
// the figure after it then includes the rest of the wait.
void settle(const std::function<bool()> &ready, int timeoutMs = kWaitMs)
{
    if (!QTest::qWaitFor(ready, timeoutMs))
        qWarning("console bench: still not settled after %d ms", timeoutMs);
}

class Bench
{
public:
    Bench(MainWindow &window, QTextStream &out)
        : m_window(window)
        , m_out(out)
    {
        QObject::connect(window.model(), &CallTableModel::pageArrived, window.model(), [this] { ++m_pages; });
        m_ticker.setInterval(5);
        QObject::connect(&m_ticker, &QTimer::timeout, &m_ticker,
                         [this] { m_maxStall = std::max(m_maxStall, m_sinceTick.restart()); });
        m_sinceTick.start();
        m_ticker.start();
    }

    // Runs `action`, then waits for a page to arrive and the count to be known.
    bool measure(const QString &what, const std::function<void()> &action)
    {
        CallTableModel *model = m_window.model();
        const int pagesBefore = m_pages;
        QElapsedTimer timer;
        timer.start();
        action();
        const bool table
                = QTest::qWaitFor([&] { return m_pages > pagesBefore && !model->isLoading(); }, kWaitMs);
        const qint64 tableMs = timer.elapsed();
        const bool count = QTest::qWaitFor([&] { return model->totalCount() >= 0; }, kWaitMs);
        const qint64 countMs = timer.elapsed();
        report(what, tableMs, countMs, table && count);
        // Let what the worker still has queued (a superseded query) finish before the next step.
        QTest::qWait(50);
        return table && count;
    }

    void report(const QString &what, qint64 tableMs, qint64 countMs, bool ok)
    {
        m_out << qSetFieldWidth(44) << Qt::left << what << qSetFieldWidth(0) << " table " << qSetFieldWidth(6)
              << Qt::right << tableMs << qSetFieldWidth(0) << " ms  count " << qSetFieldWidth(6) << countMs
              << qSetFieldWidth(0) << " ms  rows " << m_window.model()->totalCount()
              << (ok ? "" : "  TIMED OUT") << Qt::endl;
    }

    void resetFilters()
    {
        const QSignalBlocker s(m_window.searchField());
        m_window.searchField()->clear();
        for (QComboBox *box : m_window.findChildren<QComboBox *>()) {
            const QSignalBlocker b(box);
            box->setCurrentIndex(0);
        }
        {
            const QSignalBlocker st(m_window.stateList());
            m_window.stateList()->selectAll();
        }
        // Applies the cleared filter and lets it load, so that the next step starts from rest.
        emit m_window.stateList()->selectionChangedByUser();
        CallTableModel *model = m_window.model();
        settle([&] { return !model->isLoading() && model->totalCount() >= 0; }, kWaitMs);
        QTest::qWait(300);
    }

    qint64 maxStall() const { return m_maxStall; }
    void resetStall() { m_maxStall = 0; }

private:
    MainWindow &m_window;
    QTextStream &m_out;
    int m_pages = 0;
    QTimer m_ticker;
    QElapsedTimer m_sinceTick;
    qint64 m_maxStall = 0;
};

void selectStates(MainWindow &window, const QList<WorkflowState> &states)
{
    StateListView *list = window.stateList();
    list->clearSelection();
    for (WorkflowState state : states) {
        const auto items
                = list->findItems(workflow::stateLabel(state), Qt::MatchExactly | Qt::MatchRecursive);
        if (!items.isEmpty())
            items.first()->setSelected(true);
    }
    emit list->selectionChangedByUser();
}

void chooseData(MainWindow &window, const char *name, const QString &value)
{
    auto *box = window.findChild<QComboBox *>(QLatin1String(name));
    box->setCurrentIndex(box->findData(value));
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    const QStringList args = QApplication::arguments();
    if (args.size() < 2) {
        QTextStream(stderr) << "usage: callops_console_bench DATABASE_URL [CALL_ID] [--supersede-only]"
                            << Qt::endl;
        return 2;
    }
    QTextStream out(stdout);

    MainWindow window;
    window.setRefreshIntervalSeconds(3600);
    window.resize(1400, 900);
    window.show();
    CallTableModel *model = window.model();
    QTableView *table = window.table();
    Bench bench(window, out);

    bool ok = bench.measure(QStringLiteral("connect, first page"),
                            [&] { window.connectToDatabase(args.at(1)); });
    settle([&] { return window.counts().total > 0; }, kWaitMs);
    settle([&] { return window.findChild<QComboBox *>(QStringLiteral("clinicFilter"))->count() > 1; },
           kWaitMs);
    QTest::qWait(500);
    // A request that supersedes one running on the server (a broad search's count, a sort by a
    // column without an index): from the action until its own rows and count are shown.
    auto supersede = [&] {
        bench.resetFilters();
        window.searchField()->setText(QStringLiteral("415"));
        emit window.searchField()->returnPressed();
        // The page (a few ms) is in; the count of nearly every call runs.
        settle([&] { return model->rowCount() > 0 && !model->isLoading(); }, kWaitMs);
        ok = ok && bench.measure(QStringLiteral("next key while \"415\" counts"), [&] {
            QTest::keyClick(window.searchField(), '0'); // through the search box's own delay
        });
        bench.resetFilters();
        window.searchField()->setText(QStringLiteral("415"));
        emit window.searchField()->returnPressed();
        settle([&] { return model->rowCount() > 0 && !model->isLoading(); }, kWaitMs);
        ok = ok && bench.measure(QStringLiteral("search cleared while \"415\" counts"), [&] {
            window.searchField()->clear();
            emit window.searchField()->returnPressed();
        });
        bench.resetFilters();
        table->sortByColumn(CallTableModel::LastError, Qt::AscendingOrder);
        QTest::qWait(100); // its top-N sort of every call runs
        ok = ok && bench.measure(QStringLiteral("sort by Updated while sorting by Last error"), [&] {
            table->sortByColumn(CallTableModel::Updated, Qt::DescendingOrder);
        });
        QTest::qWait(1500);
    };
    if (args.contains(QStringLiteral("--supersede-only"))) {
        supersede();
        return ok ? 0 : 1;
    }
    const QString callId
            = args.size() > 2 && !args.at(2).startsWith(u'-') ? args.at(2) : model->call(100)->id;

    for (int column = 0; ok && column < CallTableModel::ColumnCount; ++column) {
        for (Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
            const QString name = model->headerData(column, Qt::Horizontal).toString();
            ok = ok
                    && bench.measure(QStringLiteral("sort %1 %2")
                                             .arg(name, order == Qt::AscendingOrder ? u"asc" : u"desc"),
                                     [&] { table->sortByColumn(column, order); });
        }
    }
    table->sortByColumn(CallTableModel::Updated, Qt::DescendingOrder);
    QTest::qWait(1500);

    const QStringList searches{QStringLiteral("(415) 000-4242"), QStringLiteral("+1 415 000 4242"),
                               QStringLiteral("4150004242"),     QStringLiteral("415.000.4242"),
                               QStringLiteral("000-4242"),       QStringLiteral("inic 42"),
                               QStringLiteral("Clinic 421"),     QStringLiteral("EX-424242"),
                               QStringLiteral("Person 4242"),    callId};
    for (const QString &term : searches) {
        ok = ok && bench.measure(QStringLiteral("search \"%1\"").arg(term.left(20)), [&] {
            window.searchField()->setText(term); // through the search box's own delay
        });
    }
    // Typed key by key, 300 ms a key: each pause past the box's delay sends a query ("4", "41",
    // "415" match most calls). Timed from the last key.
    window.searchField()->clear();
    QTest::qWait(1500);
    const QString digits = QStringLiteral("4150004242");
    for (int i = 0; i < digits.size() - 1; ++i) {
        QTest::keyClick(window.searchField(), digits.at(i).toLatin1());
        QTest::qWait(300);
    }
    {
        QElapsedTimer timer;
        timer.start();
        QTest::keyClick(window.searchField(), digits.back().toLatin1());
        const bool shown = QTest::qWaitFor(
                [&] { return model->totalCount() == 1 && model->rowCount() == 1 && !model->isLoading(); },
                kWaitMs);
        bench.report(QStringLiteral("typed \"4150004242\", from the last key"), timer.elapsed(),
                     timer.elapsed(), shown);
        ok = ok && shown;
    }
    supersede();
    bench.resetFilters();
    window.refreshNow();
    QTest::qWait(3000);

    auto filter = [&](const QString &what, const std::function<void()> &set) {
        bench.resetFilters();
        ok = ok && bench.measure(what, set);
    };
    filter(QStringLiteral("state Failed"), [&] { selectStates(window, {WorkflowState::Failed}); });
    filter(QStringLiteral("state Calling"), [&] { selectStates(window, {WorkflowState::Calling}); });
    filter(QStringLiteral("states Failed + Classif. failed"), [&] {
        selectStates(window, {WorkflowState::Failed, WorkflowState::ClassificationFailed});
    });
    filter(QStringLiteral("stuck"), [&] { window.stateList()->selectStuck(); });
    filter(QStringLiteral("clinic \"Clinic 42\""),
           [&] { chooseData(window, "clinicFilter", QStringLiteral("Clinic 42")); });
    filter(QStringLiteral("failure reason"),
           [&] { chooseData(window, "failureReasonFilter", QStringLiteral("Max retries exceeded")); });
    filter(QStringLiteral("in state up to 1 hour"),
           [&] { window.findChild<QComboBox *>(QStringLiteral("periodFilter"))->setCurrentIndex(1); });
    filter(QStringLiteral("in state up to 24 hours"),
           [&] { window.findChild<QComboBox *>(QStringLiteral("periodFilter"))->setCurrentIndex(2); });
    bench.resetFilters();
    selectStates(window, {WorkflowState::Failed});
    QTest::qWait(1500);
    ok = ok && bench.measure(QStringLiteral("Failed + clinic"), [&] {
        chooseData(window, "clinicFilter", QStringLiteral("Clinic 42"));
    });
    ok = ok && bench.measure(QStringLiteral("Failed + clinic + reason"), [&] {
        chooseData(window, "failureReasonFilter", QStringLiteral("Max retries exceeded"));
    });
    ok = ok && bench.measure(QStringLiteral("Failed + clinic + reason + 24 h"), [&] {
        window.findChild<QComboBox *>(QStringLiteral("periodFilter"))->setCurrentIndex(2);
    });
    ok = ok && bench.measure(QStringLiteral("... + search \"EX-1\""), [&] {
        window.searchField()->setText(QStringLiteral("EX-1"));
    });
    ok = ok && bench.measure(QStringLiteral("... sorted by exam desc"), [&] {
        table->sortByColumn(CallTableModel::ExamId, Qt::DescendingOrder);
    });
    ok = ok && bench.measure(QStringLiteral("refresh with the filter on"), [&] { window.refreshNow(); });
    bench.resetFilters();
    table->sortByColumn(CallTableModel::Updated, Qt::DescendingOrder);
    window.refreshNow();
    QTest::qWait(3000);

    for (int page = 1; ok && page <= 20; ++page) {
        const bool show = page <= 2 || page % 10 == 0;
        QElapsedTimer timer;
        timer.start();
        table->scrollToBottom();
        const int before = model->rowCount();
        if (model->canFetchMore({}))
            model->fetchMore({});
        ok = QTest::qWaitFor([&] { return model->rowCount() > before && !model->isLoading(); }, kWaitMs);
        if (show)
            bench.report(QStringLiteral("next page %1 (rows %2-)").arg(page).arg(before), timer.elapsed(),
                         timer.elapsed(), ok);
    }
    table->sortByColumn(CallTableModel::ExamId, Qt::AscendingOrder);
    settle([&] { return model->rowCount() > 0 && !model->isLoading(); }, kWaitMs);
    for (int page = 1; ok && page <= 10; ++page) {
        QElapsedTimer timer;
        timer.start();
        const int before = model->rowCount();
        model->fetchMore({});
        ok = QTest::qWaitFor([&] { return model->rowCount() > before && !model->isLoading(); }, kWaitMs);
        if (page == 1 || page == 10)
            bench.report(QStringLiteral("by exam: next page %1 (rows %2-)").arg(page).arg(before),
                         timer.elapsed(), timer.elapsed(), ok);
    }
    table->sortByColumn(CallTableModel::Updated, Qt::DescendingOrder);
    settle([&] { return model->rowCount() > 0 && !model->isLoading(); }, kWaitMs);
    QTest::qWait(500);

    // Selecting a call: its details and history.
    for (int row : {3, 150}) {
        QElapsedTimer timer;
        timer.start();
        const QString id = model->call(row)->id;
        table->selectRow(row);
        ok = ok && QTest::qWaitFor([&] { return window.detailPane()->callId() == id; }, kWaitMs);
        bench.report(QStringLiteral("select row %1: details").arg(row), timer.elapsed(), timer.elapsed(), ok);
    }

    // Manual actions: Retry now on retry_pending calls (they stay retry_pending).
    bench.resetFilters();
    selectStates(window, {WorkflowState::RetryPending});
    settle([&] { return model->rowCount() >= 200 && !model->isLoading() && model->totalCount() >= 0; },
           kWaitMs);
    QTest::qWait(1000);
    auto act = [&](const QString &what, const std::function<void()> &select) {
        select();
        QTest::qWait(200);
        window.requestAction(ManualAction::RetryNow, false);
        ActionDialog *dialog = nullptr;
        settle([&] { return (dialog = window.findChild<ActionDialog *>()) != nullptr; }, 5000);
        if (!dialog) {
            ok = false;
            return;
        }
        dialog->setReason(QStringLiteral("bench"));
        bool reported = false;
        QMetaObject::Connection c
                = QObject::connect(&window, &MainWindow::actionReported, &app, [&] { reported = true; });
        ok = ok && bench.measure(what, [&] { dialog->accept(); });
        settle([&] { return reported; }, kWaitMs);
        QObject::disconnect(c);
    };
    act(QStringLiteral("Retry now, one call (until refreshed)"), [&] { table->selectRow(5); });
    act(QStringLiteral("Retry now, 200 calls (until refreshed)"), [&] { table->selectAll(); });

    out << "longest GUI thread stall: " << bench.maxStall() << " ms" << Qt::endl;
    return ok ? 0 : 1;
}
