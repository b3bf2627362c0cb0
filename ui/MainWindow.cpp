#include "MainWindow.h"

#include "AccentText.h"
#include "ClockText.h"
#include "StateColors.h"
#include "calls/CallDetailPane.h"
#include "calls/CallFilterBar.h"
#include "calls/CallTableModel.h"
#include "calls/ElidedComboBox.h"
#include "config/Settings.h"
#include "console/ConsoleThread.h"
#include "console/ConsoleWorker.h"
#include "console/OperatorIdentity.h"
#include "dashboard/ElidedLabel.h"
#include "dashboard/OfflineBanner.h"
#include "dashboard/StateListView.h"
#include "dashboard/StuckBanner.h"
#include "dialogs/ActionDialog.h"
#include "dialogs/HistorySearchDialog.h"
#include "dialogs/StuckRulesDialog.h"
#include "scheduler/SchedulerPanel.h"
#include "scheduler/SchedulerStatusText.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QDir>
#include <QDockWidget>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIcon>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QShortcut>
#include <QSplitter>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

namespace callops {
namespace {

QIcon actionIcon(ManualAction action)
{
    switch (action) {
    case ManualAction::RetryNow:
        return QIcon(QStringLiteral(":/icons/retry.svg"));
    case ManualAction::ResetStuck:
        return QIcon(QStringLiteral(":/icons/reset.svg"));
    case ManualAction::MarkFailed:
        return QIcon(QStringLiteral(":/icons/fail.svg"));
    case ManualAction::Reclassify:
        return QIcon(QStringLiteral(":/icons/reclassify.svg"));
    }
    return {};
}

QKeySequence actionShortcut(ManualAction action)
{
    switch (action) {
    case ManualAction::RetryNow:
        return QKeySequence(Qt::CTRL | Qt::Key_R);
    case ManualAction::ResetStuck:
        return QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R);
    case ManualAction::MarkFailed:
        return QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_X);
    case ManualAction::Reclassify:
        return QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C);
    }
    return {};
}

// A wait shorter than this shows nothing: a busy indicator flashing at every quick refresh would
// say "wait" when there is nothing to wait for.
constexpr int kBusyAfterMs = 300;

// The clinic and failure-reason boxes' values are read again at most this often (and after a manual
// action, which can add a failure reason): each read is two whole-table scans (~0.4 s at a million
// calls), and with a busy engine the console refreshes every few seconds.
constexpr qint64 kFilterOptionsMaxAgeMs = 60 * 1000;

// A confirmation for this many selected calls or fewer names each of them.
constexpr qsizetype kNamedCallsAtMost = 5;

// Periods of the "Changed" filter on state_changed_at, in seconds back from now (0: any time).
const QList<qint64> kPeriods{0, 3600, 24 * 3600, 7 * 24 * 3600, 30 * 24 * 3600};

} // namespace

MainWindow::MainWindow(StuckRules rules, QWidget *parent)
    : QMainWindow(parent)
    , m_thread(std::make_unique<ConsoleThread>(rules))
    , m_rules(rules)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/callops.svg")));
    m_model = new CallTableModel(m_thread->worker(), this);
    buildActions();
    buildLayout();
    buildMenus();

    ConsoleWorker *worker = m_thread->worker();
    connect(worker, &ConsoleWorker::countsLoaded, this, &MainWindow::countsLoaded);
    connect(worker, &ConsoleWorker::schedulersSeen, this, [this](const QList<SchedulerSighting> &seen) {
        m_schedulersSeen = seen;
        m_scheduler->setSchedulersElsewhere(SchedulerStatusText::elsewhere(seen));
        updateSchedulerLabel();
    });
    connect(worker, &ConsoleWorker::actionFinished, this, &MainWindow::actionFinished);
    connect(worker, &ConsoleWorker::databaseChanged, this, &MainWindow::refreshNow);
    connect(worker, &ConsoleWorker::clockOffsetMeasured, this, [this](qint64 offsetMs) {
        m_clockOffsetMs = offsetMs;
        updateActions();
    });
    connect(worker, &ConsoleWorker::connectionChanged, this,
            [this](bool connected, const QString &message, ConnectionProblem problem) {
                // Requests made while the connection was down got no answer; those sent with the first
                // connection are answered in order after it (redoing them cost a second of whole-table
                // reads at a million calls).
                const bool reconnected = connected && !m_connected && m_answersMissed;
                m_answersMissed = !connected;
                m_connected = connected;
                m_connectionMessage = message;
                if (!connected) {
                    m_refreshRunning = false;
                    // What the last database said no longer holds (or another database is next).
                    m_schedulersSeen.reset();
                    updateSchedulerLabel();
                }
                m_connectionLabel->setText(connected ? tr("Connected: %1").arg(message)
                                                     : tr("Not connected: %1").arg(message));
                AccentText::set(m_connectionLabel,
                                connected ? QColor() : stateColors::color(WorkflowState::Failed));
                if (connected)
                    m_offline->hideOffline();
                else
                    m_offline->showOffline(message, problem, m_lastRefresh);
                updateTotalLabel();
                updateActions();
                updateBusy();
                if (reconnected) {
                    // Start the table over.
                    m_refreshRunning = false;
                    m_filterOptionsAge.invalidate();
                    m_model->setFilter(m_model->filter());
                    refreshNow();
                }
            });
    connect(worker, &ConsoleWorker::changesPermitted, this, [this](bool permitted) {
        m_mayChange = permitted;
        updateActions();
    });
    connect(worker, &ConsoleWorker::errorOccurred, this, [this](const QString &message) {
        m_refreshRunning = false;
        statusBar()->showMessage(message, 10000);
    });
    connect(worker, &ConsoleWorker::callLoaded, this,
            [this](const CallRecord &call, const QList<WorkflowEventRecord> &history) {
                // Only the selected call: the current row may be one the selection has left (the
                // selected call left the filter), and the pane would show a call no action applies to.
                if (selectedCurrentId() == call.id)
                    m_detail->showCall(call, history);
            });
    connect(worker, &ConsoleWorker::filterOptionsLoaded, this,
            [this](const QStringList &clinics, const QList<ReasonCount> &reasons) {
                // Items carry the exact value as data; the text may say more (how many calls).
                auto fill = [](QComboBox *box, const QList<std::pair<QString, QString>> &items) {
                    const QString current = box->currentData().toString();
                    const QSignalBlocker blocker(box);
                    while (box->count() > 1)
                        box->removeItem(1);
                    for (const auto &[value, text] : items) {
                        box->addItem(text, value);
                        box->setItemData(box->count() - 1, value, Qt::ToolTipRole);
                    }
                    const int index = box->findData(current);
                    box->setCurrentIndex(index < 0 ? 0 : index);
                };
                QList<std::pair<QString, QString>> clinicItems;
                for (const QString &clinic : clinics)
                    clinicItems.append({clinic, clinic});
                fill(m_clinic, clinicItems);
                // Most common first, with the count: the reasons that matter at the top of a list
                // that real data makes long.
                QList<std::pair<QString, QString>> reasonItems;
                for (const ReasonCount &reason : reasons) {
                    reasonItems.append({reason.reason,
                                        tr("%1 (%Ln)", "failure reason (number of calls)", reason.calls)
                                                .arg(reason.reason.left(80))});
                }
                fill(m_failureReason, reasonItems);
            });
    connect(worker, &ConsoleWorker::matchingCounted, this, [this](quint64 ticket, qint64 count) {
        if (ticket != m_countTicket)
            return;
        confirmAction(m_pendingFilterAction, true, count, -1, {}, {}, filterDescription(m_pendingFilter));
    });

    m_refreshTimer = new QTimer(this);
    m_refreshTimer->setInterval(15000);
    connect(m_refreshTimer, &QTimer::timeout, this, &MainWindow::refreshNow);
    m_refreshTimer->start();

    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(QIcon(QStringLiteral(":/icons/callops.svg")), this);
        m_tray->setToolTip(tr("CallOps"));
        connect(m_tray, &QSystemTrayIcon::activated, this, [this] {
            showNormal();
            raise();
            activateWindow();
        });
        m_tray->show();
    }

    const QRect available = screen() ? screen()->availableGeometry() : QRect(0, 0, 1600, 1000);
    // A tenth of a small laptop's screen (1024 or 1366 wide) left free would come off the details
    // pane: there the window takes all but room for the window manager's frame.
    const int width
            = available.width() < 1600 ? available.width() - 32 : std::min(1440, available.width() * 9 / 10);
    resize(width, std::min(860, available.height() * 9 / 10));
    updateActions();
    updateTitle();
}

MainWindow::~MainWindow()
{
    // Stop an engine running in the scheduler panel while the window is whole: stopping spins an
    // event loop, and what it delivers (worker results) must not reach half-destroyed models.
    m_scheduler->stopEngineAndWait(20000);
}

ConsoleWorker *MainWindow::worker() const
{
    return m_thread->worker();
}

void MainWindow::buildActions()
{
    // The menus' texts, with an Alt letter of their own in the Calls menu and its submenu. Dialogs,
    // buttons and messages name the action by manualActions::actionLabel, which has none; the
    // toolbar shows these without the '&' (QAction::iconText).
    const QMap<ManualAction, QString> menuTexts{
            {ManualAction::RetryNow, tr("Retry &now…")},
            {ManualAction::ResetStuck, tr("&Reset stuck…")},
            {ManualAction::MarkFailed, tr("&Mark failed…")},
            {ManualAction::Reclassify, tr("Re-&classify…")},
    };
    for (ManualAction action : manualActions::all()) {
        auto *qaction = new QAction(actionIcon(action), menuTexts.value(action), this);
        qaction->setObjectName(manualActions::actionName(action));
        qaction->setShortcut(actionShortcut(action));
        qaction->setToolTip(tr("%1 (%2): %3")
                                    .arg(manualActions::actionLabel(action),
                                         actionShortcut(action).toString(QKeySequence::NativeText),
                                         ActionDialog::description(action)));
        connect(qaction, &QAction::triggered, this, [this, action] { requestAction(action, false); });
        m_actions.insert(action, qaction);

        auto *filterAction = new QAction(actionIcon(action), menuTexts.value(action), this);
        filterAction->setObjectName(manualActions::actionName(action) + QStringLiteral("_filter"));
        connect(filterAction, &QAction::triggered, this, [this, action] { requestAction(action, true); });
        m_filterActions.insert(action, filterAction);
    }
    m_refreshAction = new QAction(QIcon(QStringLiteral(":/icons/refresh.svg")), tr("Re&fresh"), this);
    m_refreshAction->setObjectName(QStringLiteral("refreshAction"));
    // F5, not QKeySequence::Refresh: under GNOME and Xfce that is Ctrl+R, Retry now's key, and a key
    // two actions share does nothing at all.
    m_refreshAction->setShortcut(QKeySequence(Qt::Key_F5));
    connect(m_refreshAction, &QAction::triggered, this, &MainWindow::refreshNow);
    m_findAction = new QAction(tr("&Search"), this);
    m_findAction->setShortcut(QKeySequence::Find);
    connect(m_findAction, &QAction::triggered, this, [this] {
        m_search->setFocus(Qt::ShortcutFocusReason);
        m_search->selectAll();
    });
    addAction(m_findAction);
    m_connectAction = new QAction(QIcon(QStringLiteral(":/icons/connect.svg")), tr("&Connection…"), this);
    m_connectAction->setObjectName(QStringLiteral("connectionAction"));
    connect(m_connectAction, &QAction::triggered, this, &MainWindow::connectionRequested);
    m_historyAction = new QAction(tr("Search &history by reason…"), this);
    m_historyAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_H));
    connect(m_historyAction, &QAction::triggered, this, &MainWindow::showHistorySearch);
    m_exportAction = new QAction(QIcon(QStringLiteral(":/icons/export.svg")), tr("&Export failures…"), this);
    m_exportAction->setObjectName(QStringLiteral("exportAction"));
    m_exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    connect(m_exportAction, &QAction::triggered, this, &MainWindow::exportRequested);
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    // A greyed-out item says why in its tooltip (disableConnectionChange).
    file->setToolTipsVisible(true);
    file->addAction(m_connectAction);
    file->addAction(m_exportAction);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *calls = menuBar()->addMenu(tr("&Calls"));
    for (ManualAction action : manualActions::all())
        calls->addAction(m_actions.value(action));
    QMenu *all = calls->addMenu(tr("&All matching the filter"));
    for (ManualAction action : manualActions::all())
        all->addAction(m_filterActions.value(action));
    calls->addSeparator();
    calls->addAction(m_findAction);
    calls->addAction(m_historyAction);
    calls->addAction(m_refreshAction);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    auto *dock = findChild<QDockWidget *>(QStringLiteral("schedulerDock"));
    QAction *toggle = dock->toggleViewAction();
    toggle->setText(tr("&Scheduler"));
    toggle->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_J));
    // The focus goes with the key: into the panel it shows, back to the calls when it hides it (the
    // dock shows or hides on triggered first: it connected before us).
    connect(toggle, &QAction::triggered, this, [this](bool shown) {
        if (shown)
            m_scheduler->focusFirstControl();
        else
            m_table->setFocus(Qt::ShortcutFocusReason);
    });
    view->addAction(toggle);
    view->addSeparator();
    QAction *thresholds = view->addAction(tr("S&tuck thresholds…"), this, &MainWindow::editStuckRules);
    thresholds->setObjectName(QStringLiteral("stuckThresholdsAction"));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About CallOps"), this, [this] {
        QMessageBox::about(
                this, tr("About CallOps"),
                tr("<b>CallOps %1</b><p>Operations console and scheduler for automated clinic calls.</p>")
                        .arg(QCoreApplication::applicationVersion()));
    });

    QToolBar *toolbar = addToolBar(tr("Actions"));
    toolbar->setObjectName(QStringLiteral("actionsToolbar"));
    toolbar->setMovable(false);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->setIconSize(QSize(18, 18));
    for (ManualAction action : manualActions::all())
        toolbar->addAction(m_actions.value(action));
    toolbar->addSeparator();
    toolbar->addAction(m_refreshAction);
    toolbar->addAction(m_exportAction);
}

void MainWindow::buildLayout()
{
    m_states = new StateListView(this);
    m_states->setObjectName(QStringLiteral("stateList"));
    // Widgets with no visible label of their own: a screen reader says these names instead.
    m_states->setAccessibleName(tr("Call states"));
    connect(m_states, &StateListView::selectionChangedByUser, this, &MainWindow::applyFilter);

    m_offline = new OfflineBanner(this);
    connect(m_offline, &OfflineBanner::reconnectRequested, this, [this] {
        ConsoleWorker *worker = m_thread->worker();
        QMetaObject::invokeMethod(worker, [worker] { worker->reconnect(); });
        m_refreshRunning = false;
        refreshNow();
    });
    m_banner = new StuckBanner(this);
    connect(m_banner, &StuckBanner::showRequested, this, [this] { m_states->selectStuck(); });
    connect(m_banner, &StuckBanner::resetAllRequested, this, [this] {
        m_states->selectStuck();
        requestAction(ManualAction::ResetStuck, true);
    });

    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("search"));
    m_search->setClearButtonEnabled(true);
    // The short placeholder fits the narrowest box; the tooltip says what the search looks at.
    m_search->setPlaceholderText(tr("Search… (Ctrl+F)"));
    m_search->setToolTip(tr("Search exam, employee, clinic or phone (Ctrl+F)"));
    m_search->setAccessibleName(tr("Search calls"));
    // Room for the placeholder beside the search icon and the clear button.
    m_search->setMinimumWidth(m_search->fontMetrics().horizontalAdvance(m_search->placeholderText())
                              + 3 * m_search->fontMetrics().height() + 12);
    m_search->addAction(QIcon(QStringLiteral(":/icons/search.svg")), QLineEdit::LeadingPosition);
    m_searchDelay = new QTimer(this);
    m_searchDelay->setSingleShot(true);
    m_searchDelay->setInterval(250);
    connect(m_search, &QLineEdit::textChanged, m_searchDelay, qOverload<>(&QTimer::start));
    connect(m_search, &QLineEdit::returnPressed, this, &MainWindow::applyFilter);
    connect(m_searchDelay, &QTimer::timeout, this, &MainWindow::applyFilter);

    m_clinic = new ElidedComboBox(this);
    m_clinic->setObjectName(QStringLiteral("clinicFilter"));
    m_clinic->addItem(tr("All clinics"), QString());
    m_clinic->setAccessibleName(tr("Clinic filter"));
    m_clinic->setMinimumContentsLength(8);
    m_clinic->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_failureReason = new ElidedComboBox(this);
    m_failureReason->setObjectName(QStringLiteral("failureReasonFilter"));
    m_failureReason->addItem(tr("Any failure reason"), QString());
    m_failureReason->setAccessibleName(tr("Failure reason filter"));
    m_failureReason->setMinimumContentsLength(8);
    m_failureReason->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_period = new ElidedComboBox(this);
    m_period->setObjectName(QStringLiteral("periodFilter"));
    m_period->addItems({tr("Any time"), tr("In state for up to 1 hour"), tr("In state for up to 24 hours"),
                        tr("In state for up to 7 days"), tr("In state for up to 30 days")});
    m_period->setAccessibleName(tr("Time in state filter"));
    m_period->setMinimumContentsLength(8);
    m_period->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    for (QComboBox *box : {m_clinic, m_failureReason, m_period})
        connect(box, &QComboBox::currentIndexChanged, this, &MainWindow::applyFilter);

    auto *filterBar = new CallFilterBar(m_search, {m_clinic, m_failureReason, m_period}, this);
    filterBar->setObjectName(QStringLiteral("filterBar"));

    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("callTable"));
    m_table->setAccessibleName(tr("Calls"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(CallTableModel::Updated, Qt::DescendingOrder);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    // Tab leaves the table for the details (QTableView would move from cell to cell); the arrow
    // keys move within it.
    m_table->setTabKeyNavigation(false);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    for (ManualAction action : manualActions::all())
        m_table->addAction(m_actions.value(action));
    // The Menu key opens that menu through the platform; Shift+F10, the other key for it, Qt leaves
    // alone on Linux. Opened at the current call, as the Menu key does.
    new QShortcut(
            QKeySequence(Qt::SHIFT | Qt::Key_F10), m_table, this,
            [this] {
                const QRect cell = m_table->visualRect(m_table->currentIndex());
                const QPoint at
                        = m_table->viewport()->mapTo(m_table, cell.isValid() ? cell.center() : QPoint());
                QContextMenuEvent event(QContextMenuEvent::Keyboard, at, m_table->mapToGlobal(at));
                QCoreApplication::sendEvent(m_table, &event);
            },
            Qt::WidgetWithChildrenShortcut);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    QHeaderView *header = m_table->horizontalHeader();
    header->setHighlightSections(false);
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setStretchLastSection(false);
    const QList<std::pair<int, int>> widths{
            {CallTableModel::ExamId, 90},      {CallTableModel::Employee, 140},
            {CallTableModel::Clinic, 150},     {CallTableModel::Phone, 130},
            {CallTableModel::State, 170},      {CallTableModel::Retries, 64},
            {CallTableModel::NextAction, 125}, {CallTableModel::LastError, 200},
            {CallTableModel::Updated, 125}};
    for (const auto &[column, width] : widths)
        header->resizeSection(column, width);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::selectionChanged);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::selectionChanged);
    connect(m_model, &CallTableModel::totalCountChanged, this, [this] {
        updateTotalLabel();
        updateActions();
    });
    connect(m_model, &CallTableModel::modelReset, this, &MainWindow::selectionChanged);
    // A refresh moves the selection to the rows that now hold the same calls; a call that left the
    // table (retried out of the Failed filter) loses its selection in the model's layout change,
    // which emits no selectionChanged: look again once each page is in.
    connect(m_model, &CallTableModel::pageArrived, this, &MainWindow::selectionChanged);
    connect(m_model, &CallTableModel::pageArrived, this, [this] {
        if (m_callToSelect.isEmpty())
            return;
        const int row = m_model->rowOfCall(m_callToSelect);
        if (row >= 0) {
            m_callToSelect.clear();
            m_table->selectRow(row);
            m_table->scrollTo(m_model->index(row, 0));
        } else {
            m_callToSelect.clear();
        }
    });

    m_totalLabel = new QLabel(this);
    m_totalLabel->setObjectName(QStringLiteral("totalLabel"));

    auto *centre = new QWidget(this);
    auto *centreLayout = new QVBoxLayout(centre);
    centreLayout->setContentsMargins(0, 0, 0, 0);
    centreLayout->addWidget(m_offline);
    centreLayout->addWidget(m_banner);
    centreLayout->addWidget(filterBar);
    centreLayout->addWidget(m_table, 1);
    centreLayout->addWidget(m_totalLabel);

    m_detail = new CallDetailPane(this);
    m_detail->setObjectName(QStringLiteral("detailPane"));

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("mainSplitter"));
    splitter->addWidget(m_states);
    splitter->addWidget(centre);
    splitter->addWidget(m_detail);
    // The table takes what the window gains or loses; the state list and the details keep the
    // width their contents need.
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setStretchFactor(2, 0);
    splitter->setSizes({m_states->sizeHint().width(), 860, 320});
    // The states are the dispatcher's way around: on a small screen the table and the details
    // give up width, never the state names ("Classif…" three times over could be any of three).
    m_states->setMinimumWidth(m_states->sizeHint().width());
    splitter->setChildrenCollapsible(false);
    auto *wrapper = new QWidget(this);
    auto *wrapperLayout = new QVBoxLayout(wrapper);
    wrapperLayout->setContentsMargins(6, 6, 6, 0);
    wrapperLayout->addWidget(splitter);
    setCentralWidget(wrapper);

    m_scheduler = new SchedulerPanel(this);
    auto *dock = new QDockWidget(tr("Scheduler"), this);
    dock->setObjectName(QStringLiteral("schedulerDock"));
    dock->setWidget(m_scheduler);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    dock->hide();

    // Labels that shorten themselves ("…", whole in their tooltips) rather than widen the window
    // past a small screen's edge.
    m_connectionLabel = new ElidedLabel(tr("Not connected"), this);
    m_connectionLabel->setObjectName(QStringLiteral("connectionLabel"));
    m_refreshLabel = new ElidedLabel(this);
    m_refreshLabel->setObjectName(QStringLiteral("refreshLabel"));
    m_localSchedulerState = tr("Scheduler: not running in this console");
    m_schedulerLabel = new ElidedLabel(m_localSchedulerState, this);
    m_schedulerLabel->setObjectName(QStringLiteral("schedulerLabel"));
    // No stretch: QStatusBar draws temporary messages (action results, worker errors) in the room
    // left of the permanent widgets, and a stretching one would leave them none.
    m_busy = new QProgressBar(this);
    m_busy->setObjectName(QStringLiteral("busyIndicator"));
    m_busy->setRange(0, 0); // busy, with no end known
    m_busy->setTextVisible(false);
    m_busy->setMaximumWidth(6 * fontMetrics().height());
    m_busy->setMaximumHeight(fontMetrics().height());
    m_busy->setToolTip(tr("Waiting for the database…"));
    m_busy->setAccessibleName(tr("Waiting for the database"));
    m_busy->hide();
    m_busyDelay = new QTimer(this);
    m_busyDelay->setSingleShot(true);
    m_busyDelay->setInterval(kBusyAfterMs);
    connect(m_busyDelay, &QTimer::timeout, this, [this] {
        if (!waitsForDatabase())
            return;
        m_busy->show();
        m_table->viewport()->setCursor(Qt::BusyCursor); // busy, and still usable
    });
    connect(m_model, &CallTableModel::loadingChanged, this, &MainWindow::updateBusy);
    connect(m_model, &CallTableModel::totalCountChanged, this, &MainWindow::updateBusy);
    statusBar()->addPermanentWidget(m_busy);
    statusBar()->addPermanentWidget(m_connectionLabel);
    statusBar()->addPermanentWidget(m_refreshLabel);
    statusBar()->addPermanentWidget(m_schedulerLabel);
    connect(m_scheduler, &SchedulerPanel::stateChanged, this, [this](const QString &state) {
        m_localSchedulerState = state;
        updateSchedulerLabel();
    });
    connect(m_scheduler, &SchedulerPanel::callRequested, this, &MainWindow::showCall);
    // The log names calls the table has loaded as the table does; the others by their id.
    m_scheduler->setCallNamer([this](const QString &id) {
        const int row = m_model->rowOfCall(id);
        const CallRecord *call = row >= 0 ? m_model->call(row) : nullptr;
        return call ? tr("%1 — %2", "exam id — employee").arg(call->examId, call->employeeName) : QString();
    });
}

void MainWindow::setSettings(const Settings *settings)
{
    m_settings = settings;
    m_scheduler->setSettings(settings);
    if (settings)
        setPhoneRegion(settings->string(Settings::Key::DefaultRegion));
}

void MainWindow::setPhoneRegion(const QString &region)
{
    ConsoleWorker *worker = m_thread->worker();
    QMetaObject::invokeMethod(worker, [worker, region] { worker->setDefaultRegion(region); });
}

void MainWindow::connectToDatabase(const QString &url)
{
    ConsoleWorker *worker = m_thread->worker();
    QMetaObject::invokeMethod(worker, [worker, url] { worker->openDatabase(url); });
    m_answersMissed = false;
    m_filterOptionsAge.invalidate();
    applyFilter();
    m_refreshRunning = false;
    m_refreshAgain = false;
    refreshNow();
}

void MainWindow::disableConnectionChange(const QString &why)
{
    m_connectAction->setEnabled(false);
    m_connectAction->setToolTip(why);
    m_connectAction->setStatusTip(why);
}

void MainWindow::setRefreshIntervalSeconds(int seconds)
{
    m_refreshTimer->setInterval(std::max(1, seconds) * 1000);
}

void MainWindow::setDebounceMilliseconds(int milliseconds)
{
    ConsoleWorker *worker = m_thread->worker();
    QMetaObject::invokeMethod(worker,
                              [worker, milliseconds] { worker->setDebounceMilliseconds(milliseconds); });
}

CallFilter MainWindow::currentFilter() const
{
    CallFilter filter;
    filter.states = m_states->selectedStates();
    filter.stuckOnly = m_states->stuckSelected();
    filter.search = m_search->text().trimmed();
    filter.clinic = m_clinic->currentData().toString();
    filter.failureReason = m_failureReason->currentData().toString();
    filter.inStateAtMostSeconds = kPeriods.value(m_period->currentIndex());
    return filter;
}

void MainWindow::applyFilter()
{
    m_searchDelay->stop();
    m_detail->clear();
    m_model->setFilter(currentFilter());
    updateActions();
}

void MainWindow::refreshNow()
{
    if (m_refreshRunning) {
        m_refreshAgain = true;
        return;
    }
    m_refreshRunning = true;
    ConsoleWorker *worker = m_thread->worker();
    // What the dispatcher looks at first: the worker answers in order, and the state counts and
    // the filter boxes' values take whole-table reads (about a second at a million calls).
    m_model->refresh();
    if (const QString id = selectedCurrentId(); !id.isEmpty())
        QMetaObject::invokeMethod(worker, [worker, id] { worker->loadCall(id); });
    const bool options
            = !m_filterOptionsAge.isValid() || m_filterOptionsAge.elapsed() >= kFilterOptionsMaxAgeMs;
    if (options)
        m_filterOptionsAge.start();
    QMetaObject::invokeMethod(worker, [worker, options] {
        worker->refreshCounts();
        if (options)
            worker->loadFilterOptions();
    });
}

void MainWindow::updateSchedulerLabel()
{
    const auto shown = SchedulerStatusText::describe(m_localSchedulerState, m_scheduler->isRunning(),
                                                     m_schedulersSeen);
    m_schedulerLabel->setText(shown.text);
    m_schedulerLabel->setToolTip(shown.toolTip);
    AccentText::set(m_schedulerLabel,
                    shown.noneRunning ? stateColors::color(WorkflowState::Failed) : QColor());
}

void MainWindow::countsLoaded(const StateCounts &counts)
{
    m_refreshRunning = false;
    if (m_refreshAgain) {
        m_refreshAgain = false;
        QTimer::singleShot(0, this, &MainWindow::refreshNow);
    }
    m_counts = counts;
    m_lastRefresh = QDateTime::currentDateTime();
    m_states->setCounts(counts);
    m_banner->setStuckCount(counts.stuck);
    m_refreshLabel->setText(tr("Last refresh %1").arg(clockText::of(m_lastRefresh)));
    if (m_tray && counts.stuck > m_previousStuck) {
        m_tray->showMessage(
                tr("Stuck calls"),
                tr("%n call(s) stuck: in their state longer than its threshold.", nullptr, int(counts.stuck)),
                QSystemTrayIcon::Warning);
    }
    m_previousStuck = counts.stuck;
    updateTitle();
    emit countsUpdated(counts);
}

bool MainWindow::waitsForDatabase() const
{
    // Not while disconnected: the offline banner says why nothing comes. An action on many calls
    // takes seconds (13 s for 71,000), and the table's requests queue behind it.
    return m_connected && (m_model->isLoading() || m_model->totalCount() < 0 || m_actionsRunning > 0);
}

void MainWindow::updateTotalLabel()
{
    const qint64 total = m_model->totalCount();
    // Without a connection no count is coming: "Counting…" under an empty table said otherwise.
    if (total < 0)
        m_totalLabel->setText(m_connected ? tr("Counting…") : QString());
    else
        m_totalLabel->setText(tr("%n call(s)", nullptr, int(std::min<qint64>(total, INT_MAX))));
}

void MainWindow::updateBusy()
{
    if (!waitsForDatabase()) {
        m_busyDelay->stop();
        m_busy->hide();
        m_table->viewport()->unsetCursor();
    } else if (!m_busy->isVisible() && !m_busyDelay->isActive()) {
        m_busyDelay->start();
    }
}

void MainWindow::updateTitle()
{
    QString title = m_demo ? tr("CallOps demo") : tr("CallOps");
    if (m_counts.stuck > 0)
        title = m_demo ? tr("CallOps demo — %n stuck", nullptr, int(m_counts.stuck))
                       : tr("CallOps — %n stuck", nullptr, int(m_counts.stuck));
    setWindowTitle(title);
}

void MainWindow::showAsDemo()
{
    m_demo = true;
    updateTitle();
    m_scheduler->setNote(tr("Demo: the scheduler runs here from the start and its calls go to a "
                            "telephony simulator on this computer; no one is called."));
}

QStringList MainWindow::selectedIds() const
{
    QStringList ids;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows())
        ids.append(index.data(CallTableModel::CallIdRole).toString());
    return ids;
}

QList<int> MainWindow::selectedAttempts() const
{
    QList<int> attempts;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows()) {
        const CallRecord *call = m_model->call(index.row());
        attempts.append(call ? call->attempt : -1);
    }
    return attempts;
}

bool MainWindow::callTakes(ManualAction action, const CallRecord &call) const
{
    const WorkflowState state = workflow::stateFromName(call.state);
    if (!manualActions::allowedFrom(action, state))
        return false;
    // A call in flight only once stuck: cut short while live, its number would be free for another
    // call while it goes on (the database checks this again, with the same thresholds).
    if (!workflow::isInFlight(state))
        return true;
    // By the database's clock, as the database checks it: this computer's may be minutes off.
    const QDateTime now = QDateTime::currentDateTimeUtc().addMSecs(m_clockOffsetMs);
    return call.stateChangedAt.isValid() && call.stateChangedAt.secsTo(now) > m_rules.thresholdSeconds(state);
}

qint64 MainWindow::selectedTaking(ManualAction action) const
{
    qint64 taking = 0;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows()) {
        if (const CallRecord *call = m_model->call(index.row()); call && callTakes(action, *call))
            ++taking;
    }
    return taking;
}

QString MainWindow::selectedCurrentId() const
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid() || !m_table->selectionModel()->isRowSelected(current.row(), {}))
        return {};
    return current.data(CallTableModel::CallIdRole).toString();
}

void MainWindow::selectionChanged()
{
    updateActions();
    const QString id = selectedCurrentId();
    if (id.isEmpty()) {
        m_detail->clear();
        return;
    }
    if (id == m_detail->callId())
        return;
    ConsoleWorker *worker = m_thread->worker();
    QMetaObject::invokeMethod(worker, [worker, id] { worker->loadCall(id); });
}

void MainWindow::updateActions()
{
    const CallFilter filter = m_model->filter();
    const QList<WorkflowState> filterStates
            = filter.states.isEmpty() ? workflow::knownStates() : filter.states;
    // Without a connection, or as a role that may only read, an action could only fail, after the
    // dispatcher has typed a reason.
    const bool mayAct = m_connected && m_mayChange;
    for (ManualAction action : manualActions::all()) {
        m_actions.value(action)->setEnabled(mayAct && selectedTaking(action) > 0);
        bool anyFilterState = false;
        for (WorkflowState state : filterStates)
            anyFilterState = anyFilterState || manualActions::allowedFrom(action, state);
        m_filterActions.value(action)->setEnabled(mayAct && anyFilterState && m_model->totalCount() != 0);
    }
}

void MainWindow::requestAction(ManualAction action, bool wholeFilter)
{
    // The stuck banner's Reset all… reaches here without an action that could be disabled.
    if (!m_connected) {
        statusBar()->showMessage(tr("Not connected to the database: nothing was changed. Try again once "
                                    "the console is connected."),
                                 10000);
        return;
    }
    if (!m_mayChange) {
        statusBar()->showMessage(tr("This database role may only read: nothing was changed. Log in as a "
                                    "dispatcher (a role granted callops_dispatcher) to change calls."),
                                 10000);
        return;
    }
    if (wholeFilter) {
        m_pendingFilterAction = action;
        m_pendingFilter = m_model->filter();
        const quint64 ticket = ++m_countTicket;
        const CallFilter filter = m_pendingFilter;
        ConsoleWorker *worker = m_thread->worker();
        if (m_matchingStream == 0)
            m_matchingStream = worker->reads()->newStream();
        // Only the newest confirmation is shown: an older count still running gives way.
        worker->reads()->supersede(m_matchingStream, ticket);
        QMetaObject::invokeMethod(worker, [worker, stream = m_matchingStream, ticket, filter] {
            worker->countMatching(stream, ticket, filter);
        });
        statusBar()->showMessage(tr("Counting the calls that match the filter…"));
        return;
    }
    const QStringList ids = selectedIds();
    if (ids.isEmpty())
        return;
    const qint64 allowed = selectedTaking(action);
    if (allowed == 0)
        return;
    confirmAction(action, false, ids.size(), allowed, ids, selectedAttempts(), selectedCallNames());
}

QStringList MainWindow::selectedCallNames() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    if (rows.size() > kNamedCallsAtMost)
        return {};
    QStringList names;
    for (const QModelIndex &index : rows) {
        if (const CallRecord *call = m_model->call(index.row()))
            names.append(tr("• %1 — %2", "exam id — employee").arg(call->examId, call->employeeName));
    }
    return names;
}

QStringList MainWindow::filterDescription(const CallFilter &filter) const
{
    // What "all matching the filter" means, in the terms of the filter bar, since the dialog
    // acts on calls the dispatcher cannot all see.
    QStringList lines;
    if (filter.stuckOnly)
        lines.append(tr("• Stuck calls only"));
    if (!filter.states.isEmpty()) {
        QStringList states;
        for (WorkflowState state : filter.states)
            states.append(workflow::stateLabel(state));
        lines.append(tr("• State: %1").arg(states.join(QStringLiteral(", "))));
    }
    if (!filter.clinic.isEmpty())
        lines.append(tr("• Clinic: %1").arg(filter.clinic));
    if (!filter.failureReason.isEmpty())
        lines.append(tr("• Failure reason: %1").arg(filter.failureReason.left(120)));
    if (!filter.search.isEmpty())
        lines.append(tr("• Search: \"%1\"").arg(filter.search.left(120)));
    if (filter.inStateAtMostSeconds > 0)
        lines.append(u"• " + m_period->itemText(int(kPeriods.indexOf(filter.inStateAtMostSeconds))));
    if (lines.isEmpty())
        lines.append(tr("• Every call, in every state (no filter)"));
    return lines;
}

void MainWindow::confirmAction(ManualAction action, bool wholeFilter, qint64 count, qint64 allowed,
                               const QStringList &ids, const QList<int> &attempts, const QStringList &names)
{
    statusBar()->clearMessage();
    if (wholeFilter && count == 0) {
        statusBar()->showMessage(tr("No calls match the filter."), 5000);
        return;
    }
    auto *dialog = new ActionDialog(action, count, allowed, wholeFilter, names, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setReason(m_unappliedReasons.value(action));
    const CallFilter filter = m_pendingFilter;
    connect(dialog, &QDialog::accepted, this, [this, dialog, action, wholeFilter, ids, attempts, filter] {
        const QString reason = dialog->reason();
        m_unappliedReasons.insert(action, reason);
        ++m_actionsRunning;
        updateBusy();
        const QString actor = operatorIdentity::name();
        ConsoleWorker *worker = m_thread->worker();
        if (wholeFilter) {
            QMetaObject::invokeMethod(worker, [worker, action, filter, reason, actor] {
                worker->applyActionToFilter(action, filter, reason, actor);
            });
        } else {
            QMetaObject::invokeMethod(worker, [worker, action, ids, attempts, reason, actor] {
                worker->applyAction(action, ids, reason, actor, attempts);
            });
        }
        statusBar()->showMessage(tr("%1…").arg(manualActions::actionLabel(action)));
    });
    dialog->open();
}

void MainWindow::actionFinished(const ActionOutcome &outcome)
{
    m_actionsRunning = std::max(0, m_actionsRunning - 1);
    updateBusy();
    QString message;
    if (!outcome.ok()) {
        message = tr("%1 failed: %2").arg(manualActions::actionLabel(outcome.action), outcome.error);
        QString advice;
        if (!m_unappliedReasons.value(outcome.action).isEmpty())
            advice = u"\n\n"
                    + tr("The reason you gave is kept: it is filled in again when you try once more.");
        QMessageBox::warning(this, manualActions::actionLabel(outcome.action), message + advice);
    } else if (outcome.requested >= 0) {
        message = tr("%1: %n call(s) changed", nullptr, int(outcome.changed()))
                          .arg(manualActions::actionLabel(outcome.action));
        if (outcome.changed() < outcome.requested)
            message += u' '
                    + tr("(%n left alone: not in a state the action applies to, in flight and not stuck, or "
                         "moved on "
                         "since)",
                         nullptr, int(outcome.requested - outcome.changed()));
    } else {
        message = tr("%1: %n call(s) changed", nullptr, int(outcome.changed()))
                          .arg(manualActions::actionLabel(outcome.action));
    }
    if (outcome.ok())
        m_unappliedReasons.remove(outcome.action);
    m_filterOptionsAge.invalidate();
    statusBar()->showMessage(message, 15000);
    emit actionReported(outcome, message);
    if (m_closeWhenActionsDone) {
        // A failed action stays on screen (its warning above) rather than going with the window.
        if (!outcome.ok())
            m_closeWhenActionsDone = false;
        else if (m_actionsRunning == 0)
            QMetaObject::invokeMethod(this, &QWidget::close, Qt::QueuedConnection);
    }
    refreshNow();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_actionsRunning == 0) {
        QMainWindow::closeEvent(event);
        return;
    }
    QMessageBox box(QMessageBox::Question, tr("Quit CallOps"),
                    tr("A change to calls is still being written to the database."), QMessageBox::NoButton,
                    this);
    box.setObjectName(QStringLiteral("closeUnderActionBox"));
    box.setInformativeText(tr("Quit when it is done, or quit now: the database then undoes the change "
                              "if it has not finished it."));
    QPushButton *whenDone = box.addButton(tr("Quit When &Done"), QMessageBox::AcceptRole);
    whenDone->setObjectName(QStringLiteral("quitWhenDone"));
    QPushButton *now = box.addButton(tr("Quit &Now"), QMessageBox::DestructiveRole);
    now->setObjectName(QStringLiteral("quitNow"));
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(whenDone);
    box.exec();
    // The action may have finished while the box was open.
    m_closeWhenActionsDone = box.clickedButton() == whenDone && m_actionsRunning > 0;
    if (box.clickedButton() == now || (box.clickedButton() == whenDone && !m_closeWhenActionsDone)) {
        QMainWindow::closeEvent(event);
        return;
    }
    event->ignore();
    if (m_closeWhenActionsDone)
        statusBar()->showMessage(tr("Quitting once the change is written…"));
}

void MainWindow::showHistorySearch()
{
    auto *dialog = findChild<HistorySearchDialog *>();
    if (!dialog) {
        dialog = new HistorySearchDialog(m_thread->worker(), this);
        connect(dialog, &HistorySearchDialog::callRequested, this, &MainWindow::showCall);
    }
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
}

void MainWindow::editStuckRules()
{
    if (auto *open = findChild<StuckRulesDialog *>()) {
        open->raise();
        open->activateWindow();
        return;
    }
    auto *dialog = new StuckRulesDialog(m_rules, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { setStuckRules(dialog->rules()); });
    dialog->open();
}

void MainWindow::setStuckRules(const StuckRules &rules)
{
    if (rules == m_rules)
        return;
    m_rules = rules;
    ConsoleWorker *worker = m_thread->worker();
    QMetaObject::invokeMethod(worker, [worker, rules] { worker->setStuckRules(rules); });
    refreshNow();
    if (m_settings && !rules.save(*m_settings)) {
        QMessageBox::warning(this, tr("Stuck thresholds"),
                             tr("The new thresholds apply now, but they could not be saved to %1: the "
                                "console will start with the old ones next time.")
                                     .arg(QDir::toNativeSeparators(m_settings->filePath())));
    }
}

void MainWindow::showCall(const QString &callId)
{
    m_callToSelect = callId;
    {
        const QSignalBlocker states(m_states);
        const QSignalBlocker search(m_search);
        const QSignalBlocker clinic(m_clinic);
        const QSignalBlocker reason(m_failureReason);
        const QSignalBlocker period(m_period);
        m_states->selectAll();
        m_search->setText(callId);
        m_clinic->setCurrentIndex(0);
        m_failureReason->setCurrentIndex(0);
        m_period->setCurrentIndex(0);
    }
    // The search finds a call by its id; the call is selected when its page arrives.
    applyFilter();
}

QString MainWindow::connectionText() const
{
    return m_connectionLabel->text();
}

} // namespace callops
