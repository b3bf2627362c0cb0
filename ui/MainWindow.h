#pragma once

#include "console/ActionOutcome.h"
#include "console/CallFilter.h"
#include "console/StateCounts.h"
#include "console/StuckRules.h"
#include "scheduler/SchedulerSighting.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QMainWindow>
#include <QMap>

#include <memory>
#include <optional>

class QAction;
class QCloseEvent;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QSystemTrayIcon;
class QTableView;
class QTimer;

namespace callops {

struct CallRecord;
class CallDetailPane;
class CallTableModel;
class SchedulerPanel;
class Settings;
class ConsoleThread;
class ConsoleWorker;
class StateListView;
class OfflineBanner;
class StuckBanner;

// The dispatcher's console: states with live counts on the left, the calls of the selection in a
// lazily loaded table, the selected call's details and history on the right, manual actions, a
// stuck-call banner and tray alert. All database work runs on the ConsoleWorker's thread.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(StuckRules rules = StuckRules::defaults(), QWidget *parent = nullptr);
    ~MainWindow() override;

    void connectToDatabase(const QString &url);
    // Greys out File → Connection… and says why in its tooltip (the demo runs its own database).
    void disableConnectionChange(const QString &why);
    // Says in the title and the scheduler panel that this is the demo, with simulated calls.
    void showAsDemo();
    // The settings the in-console scheduler takes its configuration from.
    void setSettings(const Settings *settings);
    // The region national numbers are read and shown in (phone/default_region; "US" until set).
    void setPhoneRegion(const QString &region);
    SchedulerPanel *schedulerPanel() const { return m_scheduler; }
    void setRefreshIntervalSeconds(int seconds);
    void setDebounceMilliseconds(int milliseconds);
    // Applies a manual action to the selected rows (wholeFilter false) or to all rows matching the
    // filter; asks for confirmation first (an ActionDialog opened window-modal).
    void requestAction(ManualAction action, bool wholeFilter);
    void refreshNow();
    // Opens the history search (by reason) window.
    void showHistorySearch();
    // Opens the stuck thresholds; accepted values apply at once and are saved to the settings file.
    void editStuckRules();
    // Applies thresholds (banner, Stuck filter, Reset stuck) and saves them when settings are set.
    void setStuckRules(const StuckRules &rules);
    const StuckRules &stuckRules() const { return m_rules; }
    // Shows one call: clears the filters, searches for it and selects it once loaded.
    void showCall(const QString &callId);

    ConsoleWorker *worker() const;
    CallTableModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    StateListView *stateList() const { return m_states; }
    CallDetailPane *detailPane() const { return m_detail; }
    StuckBanner *stuckBanner() const { return m_banner; }
    QLineEdit *searchField() const { return m_search; }
    QAction *actionFor(ManualAction action) const { return m_actions.value(action); }
    QAction *filterActionFor(ManualAction action) const { return m_filterActions.value(action); }
    const StateCounts &counts() const { return m_counts; }
    QString connectionText() const;
    QDateTime lastRefresh() const { return m_lastRefresh; }
    // The filter the table shows (states from the left side, search and filter boxes).
    CallFilter currentFilter() const;

signals:
    void countsUpdated(const callops::StateCounts &counts);
    void actionReported(const callops::ActionOutcome &outcome, const QString &message);
    void connectionRequested();
    void exportRequested();

protected:
    // Under a manual action not yet written, asks whether to quit when it is done or now (the
    // database then undoes it).
    void closeEvent(QCloseEvent *event) override;

private:
    void buildActions();
    void buildMenus();
    void buildLayout();
    void applyFilter();
    void updateActions();
    void updateTitle();
    // Shows that the console is waiting for the database (the table's rows or their count, a
    // manual action), once the wait is long enough to notice.
    void updateBusy();
    void updateTotalLabel();
    bool waitsForDatabase() const;
    void selectionChanged();
    void countsLoaded(const StateCounts &counts);
    // The scheduler label: this console's engine and those running elsewhere.
    void updateSchedulerLabel();
    void actionFinished(const ActionOutcome &outcome);
    void confirmAction(ManualAction action, bool wholeFilter, qint64 count, qint64 allowed,
                       const QStringList &ids = {}, const QList<int> &attempts = {},
                       const QStringList &names = {});
    QStringList selectedIds() const;
    // The current row's call when that row is selected (the one the details show), else empty.
    QString selectedCurrentId() const;
    // The attempt of each selected call as shown: an action applies to that attempt only.
    QList<int> selectedAttempts() const;
    // "• exam — employee" for each selected call when there are few, else none.
    QStringList selectedCallNames() const;
    QStringList filterDescription(const CallFilter &filter) const;
    // How many selected calls take the action now (callTakes).
    qint64 selectedTaking(ManualAction action) const;
    bool callTakes(ManualAction action, const CallRecord &call) const;

    std::unique_ptr<ConsoleThread> m_thread;
    StuckRules m_rules;
    const Settings *m_settings = nullptr;
    CallTableModel *m_model = nullptr;
    StateListView *m_states = nullptr;
    QTableView *m_table = nullptr;
    CallDetailPane *m_detail = nullptr;
    StuckBanner *m_banner = nullptr;
    OfflineBanner *m_offline = nullptr;
    QLineEdit *m_search = nullptr;
    QComboBox *m_clinic = nullptr;
    QComboBox *m_failureReason = nullptr;
    QComboBox *m_period = nullptr;
    QLabel *m_totalLabel = nullptr;
    QLabel *m_connectionLabel = nullptr;
    QLabel *m_refreshLabel = nullptr;
    QLabel *m_schedulerLabel = nullptr;
    QProgressBar *m_busy = nullptr;
    QTimer *m_busyDelay = nullptr;
    QSystemTrayIcon *m_tray = nullptr;
    SchedulerPanel *m_scheduler = nullptr;
    QTimer *m_refreshTimer = nullptr;
    QTimer *m_searchDelay = nullptr;
    QMap<ManualAction, QAction *> m_actions;
    QMap<ManualAction, QAction *> m_filterActions;
    QAction *m_refreshAction = nullptr;
    QAction *m_findAction = nullptr;
    QAction *m_connectAction = nullptr;
    QAction *m_exportAction = nullptr;
    QAction *m_historyAction = nullptr;
    QString m_callToSelect;
    StateCounts m_counts;
    QString m_localSchedulerState; // the Scheduler panel's line
    std::optional<QList<SchedulerSighting>> m_schedulersSeen; // nullopt: not known
    qint64 m_previousStuck = 0;
    QDateTime m_lastRefresh;
    QElapsedTimer m_filterOptionsAge; // since the filter boxes' values were last asked for
    qint64 m_clockOffsetMs = 0; // the database's clock minus this computer's (ConsoleWorker)
    quint64 m_countTicket = 0;
    quint64 m_matchingStream = 0; // the stream of the counts above, on the worker's reads()
    int m_actionsRunning = 0; // sent to the worker, not reported done yet
    bool m_closeWhenActionsDone = false; // the dispatcher chose to quit once they are
    ManualAction m_pendingFilterAction = ManualAction::RetryNow;
    CallFilter m_pendingFilter;
    // The reason of each action sent and not yet reported done: kept when the action fails (a
    // connection lost under the open dialog), so that the dispatcher need not type it again.
    QMap<ManualAction, QString> m_unappliedReasons;
    bool m_demo = false;
    bool m_connected = false;
    bool m_mayChange = true; // the role connected as may run the manual actions
    bool m_answersMissed = false; // the connection was lost or refused since connectToDatabase()
    // One refresh at a time: changes arriving meanwhile fold into one more refresh afterwards.
    bool m_refreshRunning = false;
    bool m_refreshAgain = false;
    QString m_connectionMessage;
};

} // namespace callops
