#pragma once

#include "PassSummary.h"
#include "SchedulerConfig.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>

#include <memory>

class QThread;
class QTimer;

namespace callops {

class CallTrigger;
class CallingWindow;
class ConnectionCutter;
class GuideSchedulerCheck;
class PassPlanner;
class PendingCallRepository;
class PhoneNumberNormalizer;
class RetryPolicy;
class SchedulerPresence;
class SessionWatch;
class TimeZoneResolver;
struct CallResult;
struct DatabaseTime;

// The scheduler: claims due calls, applies the transition table, starts calls one by one within
// the rate limit, records failed requests, rescues calls stuck in flight. A parentless QObject
// that lives on its own thread (SchedulerThread) with its own database connection; everything
// else talks to it through queued slots and signals carrying plain values.
class SchedulerEngine final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SchedulerEngine)

public:
    // A statement of the engine's waiting for a lock gives up after this (its session's
    // lock_timeout), so that a stop is heard.
    static constexpr int kLockTimeoutSeconds = 10;

    explicit SchedulerEngine(SchedulerConfig config);
    ~SchedulerEngine() override;

    const SchedulerConfig &config() const { return m_config; }
    // Any thread: ends the engine's database session under the statement it waits on, which then
    // fails at once. For stopping when the server does not answer; outlives the engine.
    const std::shared_ptr<ConnectionCutter> &cutter() const { return m_cutter; }

public slots:
    void start();
    void pause();
    void resume();
    // One pass now, even while paused (the console's "Run one pass now").
    void runPassNow();
    // Graceful: no new calls, claims given back, requests in flight allowed to finish (up to the
    // HTTP timeout), then stopped().
    void stop();
    void setBatchSize(int batchSize);
    void setIntervalSeconds(int seconds);

signals:
    void started();
    void stopped();
    void pausedChanged(bool paused);
    // Calls are held (none placed, none claimed) for a reason outside the engine that someone has
    // to remove, said in `reason` (also sent once through errorOccurred); held false: going on.
    void heldChanged(bool held, const QString &reason);
    // The call trigger refuses our requests (a wrong key or URL, a certificate not trusted): no
    // calls until a trial call is accepted (refused false). The reason comes through errorOccurred.
    void refusedChanged(bool refused);
    void passStarted();
    void passFinished(const callops::PassSummary &summary);
    void errorOccurred(const QString &message);
    void connectionChanged(bool connected, const QString &message);

private:
    struct QueuedCall
    {
        QString id;
        QString e164;
        QString timeZoneId;
        bool classification = false;
        int passId = 0;
    };
    struct RequestInFlight
    {
        int passId = 0;
        int attempt = 0;
        bool classification = false;
    };
    struct OpenPass
    {
        PassSummary summary;
        QHash<QString, qsizetype> resultIndex;
        int outstanding = 0; // calls queued or in flight
    };

    bool connect();
    void disconnectAfterError(const QString &message);
    void scheduleReconnect();
    void runPass(bool forced);
    void finishPassIfDone(int passId);
    void setResult(int passId, const QString &id, const QString &status, const QString &detail = {});
    void dispatch();
    // Dispatches soon when calls wait and a request slot is free.
    void restartDispatch();
    void dispatchFailed(const QString &message);
    int requestLimit() const;
    bool refused() const;
    bool held() const { return !m_heldReason.isEmpty(); }
    // Holds calls while the guide's pg_cron scheduler is active on the database, and lets them go
    // once it is not.
    void checkGuideScheduler();
    // Writes this engine's row in callops_scheduler_presence (not for a one-pass run).
    void reportPresence();
    void recordFailure(const callops::CallResult &result);
    void stopCallsAfterRefusal(const callops::CallResult &result);
    void onCallFinished(const callops::CallResult &result);
    void renewLeases();
    void scheduleWake();
    void checkRowsNeedingAttention();
    void releaseQueue(const QString &status, int delaySeconds);
    void finishStop();
    void stopHttpThread();
    void dropConnection();
    bool dbError(const QString &message);
    QDateTime machineNow() const;
    // The database's clock, as last measured against this machine's: due times, calling windows
    // and the shared call slots are all the database's, whatever this machine's clock says.
    QDateTime databaseNow() const;
    // Notes how far this machine's clock is off the database's, as read by a statement sent at
    // `before`, and returns the transaction's now().
    QDateTime measureDatabaseClock(const QDateTime &before, const DatabaseTime &time);

    SchedulerConfig m_config;
    std::unique_ptr<PhoneNumberNormalizer> m_normalizer;
    std::unique_ptr<TimeZoneResolver> m_zones;
    std::unique_ptr<CallingWindow> m_window;
    std::unique_ptr<RetryPolicy> m_retry;
    std::unique_ptr<PassPlanner> m_planner;
    std::unique_ptr<PendingCallRepository> m_repository;
    const std::shared_ptr<ConnectionCutter> m_cutter;
    std::unique_ptr<SessionWatch> m_sessionWatch;
    std::unique_ptr<GuideSchedulerCheck> m_guideCheck;
    std::unique_ptr<SchedulerPresence> m_presence;
    // The POSTs run on a thread of their own: answers are taken in and requests written while
    // this thread waits on the database, instead of queueing behind a pass or a commit.
    std::unique_ptr<QThread> m_httpThread;
    CallTrigger *m_trigger = nullptr; // lives on m_httpThread; reached by queued calls only
    int m_inFlight = 0; // sent to m_trigger, finished() not yet back

    QTimer *m_intervalTimer = nullptr;
    QTimer *m_wakeTimer = nullptr;
    QTimer *m_dispatchTimer = nullptr;
    QTimer *m_leaseTimer = nullptr;
    QTimer *m_reconnectTimer = nullptr;
    QTimer *m_notifyDebounce = nullptr;
    QTimer *m_stopGrace = nullptr;
    QTimer *m_refusedTimer = nullptr;
    QTimer *m_guideCheckTimer = nullptr;
    QTimer *m_presenceTimer = nullptr;

    bool m_running = false;
    bool m_connected = false;
    bool m_everConnected = false;
    bool m_paused = false;
    bool m_stopping = false;
    bool m_inPass = false;
    bool m_backlog = false; // the last pass claimed all it could: more is due
    // After the call trigger refused a request (401/403/404): no passes and no calls while
    // m_refusedTimer runs (refused()); then one call at a time until one is accepted.
    bool m_probing = false;
    int m_refusedPauseSeconds = 0;
    QString m_heldReason; // why calls are held (the guide's scheduler is active); empty: they are not
    QString m_guideNoteReported; // what the guide's scheduler check could not see, said once
    int m_reconnectDelaySeconds = 1;
    bool m_loginRefused = false; // the last connection attempt was refused (ConnectionFailure)
    // Why the database cannot be used (unreachable, not migrated, no grants): said once a reason.
    QString m_unusableSaid;
    int m_nextPassId = 1;
    QDateTime m_reservedSlot; // the database's time
    QDateTime m_lastPassAt; // the database's time, for the consoles
    QString m_presenceFailure; // the last failure to report presence, said once
    qint64 m_clockOffsetMs = 0; // the database's clock minus this machine's
    bool m_clockOffReported = false;
    QList<QueuedCall> m_queue;
    QHash<QString, RequestInFlight> m_requests;
    QList<CallResult> m_unrecordedFailures; // answers that came while the database was away
    QHash<int, OpenPass> m_passes;
    QElapsedTimer m_sinceAttentionCheck;
    QSet<QString> m_reportedRows;
};

} // namespace callops
