#pragma once

#include "ActionOutcome.h"
#include "CallFilter.h"
#include "CallRecord.h"
#include "ReasonCount.h"
#include "StateCounts.h"
#include "StuckRules.h"
#include "SupersededReads.h"
#include "db/ConnectionProblem.h"
#include "phone/PhoneNumberNormalizer.h"
#include "reports/FailureReportOptions.h"
#include "scheduler/SchedulerSighting.h"

#include <QElapsedTimer>
#include <QFuture>
#include <QObject>
#include <QSqlDatabase>
#include <QStringList>

#include <atomic>
#include <memory>
#include <optional>
#include <type_traits>

class QTimer;

namespace callops {

class ConnectionCutter;
class ConsoleRepository;

// The console's database side: a parentless QObject that lives on its own thread (ConsoleThread)
// with its own connection. Call its methods through QMetaObject::invokeMethod; it answers with
// queued signals carrying plain values, so the GUI thread never waits on the database. It LISTENs
// on `pending_calls` and reports changes debounced.
class ConsoleWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConsoleWorker)

public:
    explicit ConsoleWorker(StuckRules rules = StuckRules::defaults());
    ~ConsoleWorker() override;

    // All of these run on the worker's thread.
    void openDatabase(const QString &url);
    void closeDatabase();
    // Tries the connection again now, even a login the server refused (which is not tried again
    // by itself).
    void reconnect();
    void setStuckRules(const StuckRules &rules);
    // The region numbers without a country code are read in (as the engine's phone/default_region);
    // national numbers of that region are shown in national form.
    void setDefaultRegion(const QString &region);
    void setDebounceMilliseconds(int milliseconds);
    void refreshCounts();
    void loadFilterOptions();
    // The table's reads and the count of a bulk action's confirmation, each on a stream of
    // reads() (0: none, never superseded): skipped when superseded before they start, cancelled
    // on the server when superseded while they run.
    void countFiltered(quint64 stream, quint64 generation, const CallFilter &filter);
    void loadPage(quint64 stream, quint64 generation, const CallFilter &filter, const CallSort &sort,
                  qint64 offset, int limit);
    void loadCall(const QString &id);
    void countMatching(quint64 stream, quint64 ticket, const CallFilter &filter);

    // Any thread: where askers say which of their reads are superseded. The same object for the
    // worker's whole life.
    const std::shared_ptr<SupersededReads> &reads() const { return m_reads; }
    // Any thread: the worker is being closed, and opens no session from now on (a request still
    // queued finds none and does nothing).
    void beginClosing() { m_closing.store(true); }
    // Any thread: ends the session under the statement the worker waits on, which then fails at
    // once. For closing when the server does not answer; the same object for the worker's whole
    // life, and safe to use after it.
    const std::shared_ptr<ConnectionCutter> &cutter() const { return m_cutter; }
    // `seenAttempts`: as ConsoleRepository::apply takes them.
    void applyAction(ManualAction action, const QStringList &ids, const QString &reason, const QString &actor,
                     const QList<int> &seenAttempts = {});
    void applyActionToFilter(ManualAction action, const CallFilter &filter, const QString &reason,
                             const QString &actor);
    void searchHistory(const QString &text);
    // Writes a failure report (PDF when the path ends in .pdf, else CSV).
    void exportFailures(const QString &path, const FailureReportOptions &options);

signals:
    // problem: ConnectionProblem::None when connected, else why not.
    void connectionChanged(bool connected, const QString &message, callops::ConnectionProblem problem);
    // Whether the role the console is connected as may run the manual actions; said before each
    // connectionChanged(true).
    void changesPermitted(bool permitted);
    void countsLoaded(const callops::StateCounts &counts);
    // The schedulers running on the database, wherever (read with the counts).
    void schedulersSeen(const QList<callops::SchedulerSighting> &schedulers);
    void filterOptionsLoaded(const QStringList &clinics, const QList<callops::ReasonCount> &failureReasons);
    void filteredCounted(quint64 generation, qint64 total);
    void pageLoaded(quint64 generation, qint64 offset, const QList<callops::CallRecord> &calls,
                    bool complete);
    void callLoaded(const callops::CallRecord &call, const QList<callops::WorkflowEventRecord> &history);
    void matchingCounted(quint64 ticket, qint64 count);
    void actionFinished(const callops::ActionOutcome &outcome);
    void historySearched(const QString &text, const QList<callops::WorkflowEventRecord> &events);
    // Another writer changed pending_calls (LISTEN), debounced.
    void databaseChanged();
    void exportProgressed(qint64 done, qint64 total); // calls of a large report laid out so far
    void exportFinished(bool ok, const QString &message);
    // The database's clock minus this computer's, in ms: stuck thresholds are the database's.
    void clockOffsetMeasured(qint64 offsetMs);
    void errorOccurred(const QString &message);

private:
    bool ensureOpen();
    void lostConnection(const QString &message);
    void connectFailed(const QString &message, ConnectionProblem problem);
    void probe();
    void notificationReceived(const QString &channel);
    void addPhoneDisplayForm(CallRecord &call) const;
    void dropRepository();
    // Runs `read` (a ConsoleRepository read) as a read of `stream`: nothing when it is superseded,
    // whether before it starts or by a cancel while it runs.
    template<typename Read>
    std::optional<std::invoke_result_t<Read>> runRead(quint64 stream, quint64 generation, Read read);
    // The calls `filter` matches, counted as a read of `stream`; nothing when superseded or failed
    // (a failure is handled as a lost connection).
    std::optional<qint64> countRead(quint64 stream, quint64 generation, const CallFilter &filter);

    QString m_url;
    StuckRules m_rules;
    PhoneNumberNormalizer m_phones;
    std::unique_ptr<ConsoleRepository> m_repository;
    const std::shared_ptr<SupersededReads> m_reads = std::make_shared<SupersededReads>();
    const std::shared_ptr<ConnectionCutter> m_cutter;
    std::atomic<bool> m_closing = false;
    QTimer *m_debounce = nullptr;
    QTimer *m_probe = nullptr; // finds a lost session between refreshes
    int m_debounceMs = 500;
    bool m_connected = false;
    QString m_failure; // why the last attempt to connect failed; empty after a success
    ConnectionProblem m_failureProblem = ConnectionProblem::None;
    QElapsedTimer m_sinceFailure;
    std::optional<qint64> m_clockOffsetMs; // as last said in clockOffsetMeasured()
    QFuture<void> m_export; // laying out and writing a report, off this thread
};

} // namespace callops
