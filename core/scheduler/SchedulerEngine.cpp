#include "SchedulerEngine.h"

#include "GuideSchedulerCheck.h"
#include "PassPlanner.h"
#include "PendingCallRepository.h"
#include "SchedulerGrants.h"
#include "SchedulerPresence.h"
#include "common/ClockOffset.h"
#include "config/Settings.h"
#include "db/ConnectionCutter.h"
#include "db/ConnectionFailure.h"
#include "db/DatabaseConnection.h"
#include "db/Migrator.h"
#include "db/PreparedStatements.h"
#include "db/SessionWatch.h"
#include "i18n/SourceLanguage.h"
#include "phone/PhoneNumberNormalizer.h"
#include "phone/TimeZoneResolver.h"
#include "scheduler/CallingWindow.h"
#include "scheduler/RetryPolicy.h"
#include "telephony/CallTrigger.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QSqlDriver>
#include <QSqlQuery>
#include <QSysInfo>
#include <QThread>
#include <QTimeZone>
#include <QTimer>

#include <algorithm>
#include <cstdlib>
#include <functional>

Q_LOGGING_CATEGORY(lcEngine, "callops.engine")

namespace callops {
namespace {

const QString kPurpose = QStringLiteral("scheduler");
const QString kChannel = QStringLiteral("pending_calls");
constexpr int kMaxReconnectDelaySeconds = 30;
// A refused login is tried again this seldom: it needs someone to fix the settings, and Supabase
// blocks an address that fails to log in again and again (ConnectionFailure).
constexpr int kRefusedLoginRetrySeconds = 600;
constexpr int kNotifyDebounceMs = 200;
// How soon a dispatch that failed on something other than a lost connection is tried again.
constexpr int kDispatchRetryMs = 1000;
constexpr int kClassificationChunk = 1000;
// A clock further off the database's than this is said in the log (once, until it is right again).
constexpr qint64 kClockOffReportMs = 5000;

QString makeSchedulerId()
{
    return QStringLiteral("%1:%2:%3")
            .arg(QSysInfo::machineHostName())
            .arg(QCoreApplication::applicationPid())
            .arg(QRandomGenerator::global()->generate() & 0xffff, 4, 16, QLatin1Char('0'));
}

// Writes the message `make` builds into the journal in the source language (operators grep for
// it, whatever language the console running this engine speaks) and returns it translated, for
// the console.
template<typename Make> QString journalled(QtMsgType type, Make &&make)
{
    const QString journal = SourceLanguage::text(make);
    if (type == QtCriticalMsg)
        qCCritical(lcEngine).noquote() << journal;
    else
        qCWarning(lcEngine).noquote() << journal;
    return make();
}

} // namespace

SchedulerEngine::SchedulerEngine(SchedulerConfig config)
    : m_config(std::move(config))
    , m_cutter(std::make_shared<ConnectionCutter>())
{
    if (m_config.schedulerId.isEmpty())
        m_config.schedulerId = makeSchedulerId();
}

SchedulerEngine::~SchedulerEngine()
{
    stopHttpThread();
    dropConnection();
}

void SchedulerEngine::start()
{
    if (m_running)
        return;
    if (Status status = m_config.validate(); !status) {
        emit errorOccurred(status.error());
        return;
    }
    m_normalizer = std::make_unique<PhoneNumberNormalizer>(m_config.defaultRegion);
    m_zones = std::make_unique<TimeZoneResolver>(m_config.defaultTimeZone.toUtf8());
    m_window = std::make_unique<CallingWindow>(CallingWindow::parse(m_config.callingHours).value());
    m_retry = std::make_unique<RetryPolicy>(m_config.retry);
    m_planner = std::make_unique<PassPlanner>(
            PassPlanner::Config{m_config.ivrWaitSeconds, m_config.busyRetrySeconds, 1000}, *m_normalizer,
            *m_zones, *m_window);

    m_httpThread = std::make_unique<QThread>();
    m_httpThread->setObjectName(QStringLiteral("callops-http"));
    m_trigger = new CallTrigger({m_config.supabaseUrl, m_config.serviceKey, m_config.httpTimeoutMs,
                                 m_config.maxConcurrentRequests});
    m_trigger->moveToThread(m_httpThread.get());
    QObject::connect(m_httpThread.get(), &QThread::finished, m_trigger, &QObject::deleteLater);
    QObject::connect(m_trigger, &CallTrigger::finished, this, &SchedulerEngine::onCallFinished);
    m_inFlight = 0;
    m_httpThread->start();
    // What the POSTs' errors say goes into last_error and the journal (Qt's network errors too).
    QMetaObject::invokeMethod(m_trigger, [] { SourceLanguage::holdOnThisThread(); });

    auto makeTimer = [this](bool singleShot, auto slot) {
        auto *timer = new QTimer(this);
        timer->setSingleShot(singleShot);
        QObject::connect(timer, &QTimer::timeout, this, slot);
        return timer;
    };
    m_intervalTimer = makeTimer(false, [this] { runPass(false); });
    m_wakeTimer = makeTimer(true, [this] { runPass(false); });
    m_dispatchTimer = makeTimer(true, [this] { dispatch(); });
    m_leaseTimer = makeTimer(false, [this] { renewLeases(); });
    m_reconnectTimer = makeTimer(true, [this] {
        if (!connect()) {
            scheduleReconnect();
            return;
        }
        for (const CallResult &failure : std::exchange(m_unrecordedFailures, {}))
            recordFailure(failure);
        // The job may have been scheduled while the connection was away.
        checkGuideScheduler();
        if (!m_connected)
            return;
        // Calls claimed before the connection was lost are still queued: the pass below claims
        // nothing more while the queue is full, so they must be dispatched from here.
        restartDispatch();
        if (m_config.continuous)
            runPass(false);
    });
    m_notifyDebounce = makeTimer(true, [this] { runPass(false); });
    m_stopGrace = makeTimer(true, [this] {
        qCWarning(lcEngine) << "requests still in flight after the grace period; aborting" << m_inFlight;
        QMetaObject::invokeMethod(m_trigger, &CallTrigger::abortAll, Qt::QueuedConnection);
    });
    m_refusedTimer = makeTimer(true, [this] {
        m_probing = true;
        qCInfo(lcEngine) << "trying the call trigger again with one call";
        runPass(false);
    });
    m_guideCheckTimer = makeTimer(false, [this] { checkGuideScheduler(); });
    m_presenceTimer = makeTimer(false, [this] { reportPresence(); });
    m_presenceTimer->setTimerType(Qt::VeryCoarseTimer);
    m_refusedPauseSeconds = qMax(1, m_config.refusedPauseSeconds);
    m_notifyDebounce->setInterval(kNotifyDebounceMs);
    m_intervalTimer->setTimerType(Qt::VeryCoarseTimer);

    m_running = true;
    m_sinceAttentionCheck.invalidate();
    // What decides when and whom it calls, once, so the journal shows what a server runs with.
    qCInfo(lcEngine) << "scheduler" << m_config.schedulerId << "starting against"
                     << m_config.database.target() << "batch" << m_config.batchSize << "interval"
                     << m_config.intervalSeconds << "s, calls/s" << m_config.callsPerSecond << "calling hours"
                     << m_config.callingHours << "default region" << m_config.defaultRegion << "default zone"
                     << m_config.defaultTimeZone;
    const bool ok = connect();
    if (m_config.continuous)
        m_intervalTimer->start(m_config.intervalSeconds * 1000);
    m_leaseTimer->start(qMax(1, m_config.leaseSeconds / 3) * 1000);
    if (m_config.continuous) {
        m_guideCheckTimer->start(qMax(1, m_config.guideSchedulerCheckSeconds) * 1000);
        m_presenceTimer->start(qMax(1, m_config.presenceSeconds) * 1000);
    }
    emit started();
    // Before the first pass: not one call while the old scheduler runs.
    if (ok)
        checkGuideScheduler();
    if (ok && m_connected)
        QTimer::singleShot(0, this, [this] { runPass(false); });
    else
        scheduleReconnect();
}

bool SchedulerEngine::connect()
{
    dropConnection();
    auto db = DatabaseConnection::open(m_config.database, kPurpose);
    if (!db) {
        m_connected = false;
        m_loginRefused = ConnectionFailure::isRefusal(db.error());
        emit connectionChanged(false, db.error());
        // The journal has every try (it shows the scheduler still trying); whoever shows the
        // errors to a person hears a failure again only when it is a different one.
        if (std::exchange(m_unusableSaid, db.error()) != db.error())
            emit errorOccurred(db.error());
        qCWarning(lcEngine).noquote() << db.error();
        return false;
    }
    // Started from the console on a database not migrated this far, or logged in as a role without
    // the scheduler's grants, every pass failed ("relation ... does not exist", "permission denied").
    // Said once, with what to do; tried again like a lost connection, so that it goes on by itself
    // once migrated or granted. (The headless program refuses to start instead.) The grants come
    // first: a login that may not read schema_migrations cannot be told how migrated it is.
    const QString target = m_config.database.target();
    const auto grants = SchedulerGrants::check(*db);
    const auto schema = Migrator(*db).schemaState();
    std::function<QString()> say;
    if (grants && !grants->complete())
        say = [&] {
            return grants->message(target);
        };
    else if (schema && !schema->isUsable())
        say = [&] {
            return schema->missingMessage(target);
        };
    if (say) {
        const QString message = say();
        DatabaseConnection::close(db.value(), kPurpose);
        m_connected = false;
        emit connectionChanged(false, message);
        if (std::exchange(m_unusableSaid, message) != message)
            emit errorOccurred(journalled(QtWarningMsg, say));
        return false;
    }
    m_unusableSaid.clear();
    // A statement of the engine's that waits for a lock (a migration, an ALTER TABLE, a table locked
    // from psql) gives up after this: without it the engine's thread waited as long as the lock was
    // held, deaf to SIGTERM (systemd killed it, claims held) and silent in the journal.
    if (QSqlQuery lockTimeout(*db);
        !lockTimeout.exec(QStringLiteral("SET lock_timeout = '%1s'").arg(kLockTimeoutSeconds)))
        qCWarning(lcEngine).noquote()
                << "cannot set lock_timeout:" << DatabaseConnection::describeError(lockTimeout.lastError());
    m_repository = std::make_unique<PendingCallRepository>(*db, m_config.schedulerId);
    m_cutter->set(*db);
    m_guideCheck = std::make_unique<GuideSchedulerCheck>(*db);
    if (m_config.continuous)
        m_presence = std::make_unique<SchedulerPresence>(*db, m_config.schedulerId, m_config.startedBy);
    QSqlDriver *driver = db->driver();
    if (m_config.database.looksLikeTransactionPooler()) {
        emit errorOccurred(journalled(QtWarningMsg, [this] {
            return tr("%1 looks like Supabase's transaction pooler (port 6543): LISTEN/NOTIFY and "
                      "prepared statements do not work through it; use the session pooler (port 5432) "
                      "or the direct host")
                    .arg(m_config.database.endpoint());
        }));
    } else if (!m_config.continuous) {
        // One pass only: nothing to wake up for.
    } else if (driver->subscribeToNotification(kChannel)) {
        QObject::connect(driver, &QSqlDriver::notification, this,
                         [this](const QString &name, QSqlDriver::NotificationSource source) {
                             // Our own moves are no news to us; other writers' are.
                             if (name == kChannel && source != QSqlDriver::SelfSource
                                 && !m_notifyDebounce->isActive())
                                 m_notifyDebounce->start();
                         });
        // Waiting for work, the engine runs no statement until its interval; a session the server
        // closed meanwhile is reconnected now, so that NOTIFY reaches it again.
        m_sessionWatch = std::make_unique<SessionWatch>(*db);
        QObject::connect(
                m_sessionWatch.get(), &SessionWatch::closed, this,
                [this](const QString &reason) {
                    if (m_connected && !m_stopping)
                        disconnectAfterError(reason);
                },
                Qt::QueuedConnection);
    } else {
        qCWarning(lcEngine) << "LISTEN failed; relying on the interval timer";
    }
    // The journal said the connection was lost; it says so when it is back.
    if (m_everConnected)
        qCInfo(lcEngine).noquote() << "database connection restored:" << m_config.database.target();
    m_everConnected = true;
    m_connected = true;
    m_loginRefused = false;
    m_reconnectDelaySeconds = 1;
    emit connectionChanged(true, m_config.database.target());
    reportPresence();
    return true;
}

bool SchedulerEngine::dbError(const QString &message)
{
    if (m_repository && m_repository->connectionLost()) {
        disconnectAfterError(message);
        return true;
    }
    qCWarning(lcEngine).noquote() << message;
    emit errorOccurred(message);
    return false;
}

void SchedulerEngine::disconnectAfterError(const QString &message)
{
    qCWarning(lcEngine).noquote() << "database connection lost:" << message;
    m_connected = false;
    m_reservedSlot = {};
    dropConnection();
    emit connectionChanged(false, message);
    emit errorOccurred(tr("Lost the database connection: %1").arg(message));
    if (!m_stopping)
        scheduleReconnect();
}

void SchedulerEngine::scheduleReconnect()
{
    if (m_stopping || m_reconnectTimer->isActive())
        return;
    if (m_loginRefused) {
        emit errorOccurred(journalled(QtWarningMsg, [] {
            return tr("The database refused the login: fix the database settings. Trying "
                      "again in %n minute(s), not sooner: failed logins again and again "
                      "get this machine blocked.",
                      nullptr, kRefusedLoginRetrySeconds / 60);
        }));
        m_reconnectTimer->start(kRefusedLoginRetrySeconds * 1000);
        return;
    }
    qCInfo(lcEngine) << "reconnecting in" << m_reconnectDelaySeconds << "s";
    m_reconnectTimer->start(m_reconnectDelaySeconds * 1000);
    m_reconnectDelaySeconds = qMin(kMaxReconnectDelaySeconds, m_reconnectDelaySeconds * 2);
}

void SchedulerEngine::pause()
{
    if (m_paused)
        return;
    m_paused = true;
    releaseQueue(QStringLiteral("released"), 0);
    emit pausedChanged(true);
    reportPresence();
}

void SchedulerEngine::resume()
{
    if (!m_paused)
        return;
    m_paused = false;
    emit pausedChanged(false);
    reportPresence();
    runPass(false);
}

void SchedulerEngine::runPassNow()
{
    runPass(true);
}

void SchedulerEngine::setBatchSize(int batchSize)
{
    const Settings::Range range = Settings::range(Settings::Key::BatchSize);
    if (batchSize >= range.minimum && batchSize <= range.maximum)
        m_config.batchSize = batchSize;
}

void SchedulerEngine::setIntervalSeconds(int seconds)
{
    // As the settings allow; more would overflow the timer.
    const Settings::Range range = Settings::range(Settings::Key::IntervalSeconds);
    if (seconds < range.minimum || seconds > range.maximum)
        return;
    m_config.intervalSeconds = seconds;
    if (m_intervalTimer)
        m_intervalTimer->start(seconds * 1000);
}

void SchedulerEngine::runPass(bool forced)
{
    if (!m_running || m_stopping || m_inPass || !m_connected || (m_paused && !forced) || refused())
        return;
    if (held()) {
        // Asked for one pass (the console's button, --once): its summary says why it did nothing.
        if (forced || !m_config.continuous) {
            PassSummary summary;
            summary.startedAt = summary.finishedAt = QDateTime::currentDateTimeUtc();
            summary.error = m_heldReason;
            emit passFinished(summary);
        }
        return;
    }
    // Calls of earlier passes still wait for their turn: claim more only when they run short.
    if (!forced && m_queue.size() >= m_config.batchSize) {
        // A dispatch that gave up on an error leaves them waiting: the interval catches that.
        restartDispatch();
        return;
    }
    m_inPass = true;
    m_lastPassAt = databaseNow();
    emit passStarted();

    const int passId = m_nextPassId++;
    OpenPass pass;
    pass.summary.startedAt = QDateTime::currentDateTimeUtc();
    QElapsedTimer timer;
    timer.start();

    auto abandon = [&](const QString &message) {
        pass.summary.error = message;
        pass.summary.finishedAt = QDateTime::currentDateTimeUtc();
        m_inPass = false;
        dbError(message);
        emit passFinished(pass.summary);
    };

    const auto rescued = m_repository->rescueInFlight(m_config.inflightTimeoutSeconds);
    if (!rescued)
        return abandon(rescued.error());
    pass.summary.rescued = int(rescued->size());
    for (const QString &id : *rescued) {
        qCWarning(lcEngine) << "call" << id << "was in flight longer than" << m_config.inflightTimeoutSeconds
                            << "s: back to retry_pending";
    }
    if (!m_sinceAttentionCheck.isValid()
        || m_sinceAttentionCheck.elapsed() >= qint64(m_config.attentionCheckSeconds) * 1000) {
        m_sinceAttentionCheck.start();
        checkRowsNeedingAttention();
        if (!m_repository)
            return abandon(tr("database connection lost"));
    }
    // Classifications written by others carry only their phone as written; look-ups compare
    // E.164, so every active one is normalised before this pass looks anything up.
    for (int normalised = kClassificationChunk; normalised == kClassificationChunk;) {
        const auto done = m_repository->normaliseClassificationNumbers(*m_normalizer, kClassificationChunk);
        if (!done)
            return abandon(done.error());
        normalised = *done;
    }

    const QDateTime before = machineNow();
    const auto began = m_repository->begin();
    if (!began) {
        m_repository->rollback();
        return abandon(began.error());
    }
    // Due is by the database's clock (claim_due.sql compares with now()), and so is everything the
    // pass decides: a server whose clock is minutes off must neither push steps into the future
    // nor call outside the clinic's hours.
    const QDateTime now = measureDatabaseClock(before, *began);
    // The queue never holds more than a batch: claims this scheduler cannot start soon are left
    // for the others.
    const int room = forced ? m_config.batchSize : m_config.batchSize - int(m_queue.size());
    auto claimed = m_repository->claimDue(room);
    if (!claimed) {
        m_repository->rollback();
        return abandon(claimed.error());
    }
    QList<ClaimedCall> rows = std::move(claimed).value();
    QHash<QString, QString> normaliseErrors;
    m_planner->normalise(rows, normaliseErrors);
    const auto classifications = m_repository->lookUpClassifications(PassPlanner::numbersToLookUp(rows));
    if (!classifications) {
        m_repository->rollback();
        return abandon(classifications.error());
    }
    const auto busy = m_repository->busyNumbers(PassPlanner::numbersToCall(rows));
    if (!busy) {
        m_repository->rollback();
        return abandon(busy.error());
    }
    const QList<Decision> decisions = m_planner->decide(rows, normaliseErrors, *classifications, *busy, now);
    if (Status status = m_repository->applyDecisions(decisions, m_config.leaseSeconds); !status) {
        m_repository->rollback();
        return abandon(status.error());
    }
    if (Status status = m_repository->commit(); !status) {
        m_repository->rollback();
        return abandon(status.error());
    }

    pass.summary.processed = int(decisions.size());
    for (const Decision &decision : decisions) {
        pass.resultIndex.insert(decision.id, pass.summary.results.size());
        pass.summary.results.append({decision.id, decision.status, decision.detail});
        if (decision.lease) {
            m_queue.append({decision.id, decision.e164, decision.timeZoneId,
                            decision.from == WorkflowState::NeedsClassification, passId});
            ++pass.outstanding;
        }
        if (decision.event == WorkflowEvent::InvalidPhoneNumber)
            qCWarning(lcEngine).noquote() << "call" << decision.id << "failed:" << decision.detail;
    }
    m_passes.insert(passId, pass);
    m_inPass = false;
    // A pass that found nothing is not news: at every interval and every notification from other
    // writers, those lines filled a server's journal.
    if (decisions.isEmpty() && pass.summary.rescued == 0)
        qCDebug(lcEngine) << "pass" << passId << "found nothing due in" << timer.elapsed() << "ms";
    else
        qCInfo(lcEngine) << "pass" << passId << "claimed" << decisions.size() << "queued" << pass.outstanding
                         << "rescued" << pass.summary.rescued << "in" << timer.elapsed() << "ms";

    finishPassIfDone(passId);
    dispatch();
    if (!m_config.continuous)
        return;
    // A full claim means more is due: claim again as soon as this scheduler can use it.
    m_backlog = decisions.size() >= room;
    if (m_backlog && m_queue.isEmpty()) {
        m_backlog = false;
        QTimer::singleShot(0, this, [this] { runPass(false); });
    } else if (!m_backlog) {
        scheduleWake();
    }
}

void SchedulerEngine::setResult(int passId, const QString &id, const QString &status, const QString &detail)
{
    auto pass = m_passes.find(passId);
    if (pass == m_passes.end())
        return;
    const auto index = pass->resultIndex.constFind(id);
    if (index == pass->resultIndex.cend())
        return;
    RowResult &result = pass->summary.results[*index];
    result.status = status;
    result.detail = detail;
}

void SchedulerEngine::finishPassIfDone(int passId)
{
    auto pass = m_passes.find(passId);
    if (pass == m_passes.end() || pass->outstanding > 0)
        return;
    pass->summary.finishedAt = QDateTime::currentDateTimeUtc();
    const PassSummary summary = pass->summary;
    m_passes.erase(pass);
    emit passFinished(summary);
}

void SchedulerEngine::dispatch()
{
    if (!m_running || !m_connected || !m_repository || refused() || held())
        return;
    auto continueBacklog = qScopeGuard([this] {
        if (m_backlog && m_queue.isEmpty() && m_config.continuous) {
            m_backlog = false;
            QTimer::singleShot(0, this, [this] { runPass(false); });
        }
    });
    while (!m_queue.isEmpty() && m_inFlight < requestLimit()) {
        qsizetype take = qMin<qsizetype>(m_queue.size(), requestLimit() - m_inFlight);
        if (m_config.callsPerSecond > 0) {
            if (!m_reservedSlot.isValid()) {
                const auto slot = m_repository->reserveCallSlot(m_config.callsPerSecond);
                if (!slot) {
                    dispatchFailed(slot.error());
                    return;
                }
                m_reservedSlot = *slot;
            }
            const qint64 wait = databaseNow().msecsTo(m_reservedSlot);
            if (wait > 2) {
                m_dispatchTimer->start(int(qMin<qint64>(wait, 60000)));
                return;
            }
            m_reservedSlot = {};
            take = 1;
        }

        QList<QueuedCall> batch = m_queue.mid(0, take);
        m_queue.remove(0, take);
        const QDateTime now = databaseNow();
        QStringList ids;
        QHash<QString, QueuedCall> byId;
        for (qsizetype index = 0; index < batch.size(); ++index) {
            const QueuedCall &call = batch.at(index);
            // The window is checked again at the last moment: a call queued at 16:59:58 must not
            // go out at 17:00:03.
            const QTimeZone zone(call.timeZoneId.toUtf8());
            if (zone.isValid() && !m_window->isOpen(now, zone)) {
                const QDateTime opening = m_window->nextOpening(now, zone);
                if (Status status = m_repository->releaseLeases({call.id}, int(now.secsTo(opening)));
                    !status) {
                    // The rest of the batch has not been looked at: back to the queue, this one too.
                    m_queue = batch.mid(index) + m_queue;
                    dispatchFailed(status.error());
                    return;
                }
                setResult(call.passId, call.id, QStringLiteral("outside_calling_window"),
                          opening.toString(Qt::ISODate));
                if (auto pass = m_passes.find(call.passId); pass != m_passes.end())
                    --pass->outstanding;
                finishPassIfDone(call.passId);
                continue;
            }
            ids.append(call.id);
            byId.insert(call.id, call);
        }
        if (ids.isEmpty())
            continue;

        const auto started = m_repository->startCalls(ids);
        if (!started) {
            // Put back the ones not released above: their leases are still ours, or expire and
            // others take them.
            QList<QueuedCall> unstarted;
            for (const QueuedCall &call : std::as_const(batch)) {
                if (byId.contains(call.id))
                    unstarted.append(call);
            }
            m_queue = unstarted + m_queue;
            dispatchFailed(started.error());
            return;
        }
        QSet<QString> startedIds;
        QList<CallRequest> requests;
        for (const StartedCall &call : *started) {
            startedIds.insert(call.id);
            const QueuedCall queued = byId.value(call.id);
            m_requests.insert(call.id, {queued.passId, call.attempt, call.classification});
            setResult(queued.passId, call.id,
                      call.classification ? QStringLiteral("classification_call_triggered")
                                          : QStringLiteral("task_call_triggered"),
                      QStringLiteral("attempt %1").arg(call.attempt));
            if (auto pass = m_passes.find(queued.passId); pass != m_passes.end())
                ++pass->summary.callsStarted;
            requests.append(
                    {call.id, call.classification ? CallKind::Classification : CallKind::Task, call.attempt});
        }
        if (!requests.isEmpty()) {
            m_inFlight += int(requests.size());
            QMetaObject::invokeMethod(
                    m_trigger,
                    [trigger = m_trigger, requests] {
                        for (const CallRequest &request : requests)
                            trigger->send(request);
                    },
                    Qt::QueuedConnection);
        }
        QStringList notStarted;
        for (const QString &id : std::as_const(ids)) {
            if (!startedIds.contains(id))
                notStarted.append(id);
        }
        if (!notStarted.isEmpty()) {
            if (Status status = m_repository->releaseLeases(notStarted, m_config.busyRetrySeconds); !status)
                dbError(status.error());
            for (const QString &id : std::as_const(notStarted)) {
                const QueuedCall queued = byId.value(id);
                setResult(queued.passId, id, QStringLiteral("number_busy"),
                          tr("another call to this number is in flight, or the call changed meanwhile"));
                if (auto pass = m_passes.find(queued.passId); pass != m_passes.end())
                    --pass->outstanding;
                finishPassIfDone(queued.passId);
            }
            if (!m_repository)
                return;
        }
    }
}

void SchedulerEngine::recordFailure(const CallResult &result)
{
    const bool refused = result.status == CallResult::Status::Refused;
    const bool transient = result.status != CallResult::Status::PermanentFailure;
    if (m_repository) {
        const int backoff
                = refused ? m_refusedPauseSeconds : m_retry->backoffSeconds(qMax(1, result.request.attempt));
        const auto applied = m_repository->recordPostFailure(
                result.request.pendingCallId, result.request.attempt,
                result.request.kind == CallKind::Classification, transient, !refused, result.error, backoff);
        if (applied || !dbError(applied.error()))
            return;
    }
    // No connection: kept until it is back. Left to the in-flight timeout, a permanent failure
    // would be retried as a timeout and its HTTP error lost from last_error.
    m_unrecordedFailures.append(result);
}

void SchedulerEngine::restartDispatch()
{
    if (!m_queue.isEmpty() && m_inFlight < requestLimit() && !m_dispatchTimer->isActive())
        m_dispatchTimer->start(0);
}

int SchedulerEngine::requestLimit() const
{
    return m_probing ? 1 : m_config.maxConcurrentRequests;
}

bool SchedulerEngine::refused() const
{
    return m_refusedTimer && m_refusedTimer->isActive();
}

void SchedulerEngine::stopCallsAfterRefusal(const CallResult &result)
{
    if (refused())
        return; // the other requests that were in flight get the same answer
    // A trial call refused again: the console was told at the first refusal.
    if (!std::exchange(m_probing, false))
        emit refusedChanged(true);
    emit errorOccurred(journalled(QtCriticalMsg, [&] {
        return result.httpStatus == 0
                ? tr("The call trigger's TLS certificate is not trusted on this machine (%1): install the CA "
                     "certificates (Debian: ca-certificates) or look for a proxy that intercepts TLS. No "
                     "calls "
                     "are placed for %2 s; the calls go back to where they were without spending an attempt.")
                          .arg(result.error)
                          .arg(m_refusedPauseSeconds)
                : tr("The call trigger refused the request (%1): check SUPABASE_URL (the project URL, "
                     "https://<ref>.supabase.co) and SUPABASE_SERVICE_ROLE_KEY. No calls are placed for %2 "
                     "s; "
                     "the calls go back to where they were without spending an attempt.")
                          .arg(result.error)
                          .arg(m_refusedPauseSeconds);
    }));
    m_refusedTimer->start(m_refusedPauseSeconds * 1000);
    // Other schedulers may be configured well: give them the queue at once.
    releaseQueue(QStringLiteral("released"), 0);
    reportPresence();
    m_refusedPauseSeconds = qMin(m_refusedPauseSeconds * 2, 10 * qMax(1, m_config.refusedPauseSeconds));
}

void SchedulerEngine::checkGuideScheduler()
{
    if (!m_running || m_stopping || !m_connected || !m_guideCheck)
        return;
    const GuideSchedulerCheck::Finding finding = m_guideCheck->look();
    if (finding.connectionLost) {
        disconnectAfterError(finding.note);
        return;
    }
    // What the check cannot see does not stop calls (a least-privilege role may not read
    // cron.job): it is said once, for whoever reads the journal.
    if (finding.note != m_guideNoteReported && !finding.note.isEmpty()) {
        qCInfo(lcEngine).noquote() << QStringLiteral(
                                              "cannot tell whether the guide's scheduler (pg_cron job %1, "
                                              "posting to %2) is still active: %3; calls go on. Make sure it "
                                              "is unscheduled.")
                                              .arg(GuideSchedulerCheck::jobName(),
                                                   GuideSchedulerCheck::functionPath(), finding.note);
    }
    m_guideNoteReported = finding.note;

    if (finding.kind != GuideSchedulerCheck::Finding::Kind::Active) {
        if (!held())
            return;
        m_heldReason.clear();
        qCInfo(lcEngine) << "the guide's scheduler is no longer active: placing calls again";
        emit heldChanged(false, {});
        reportPresence();
        if (m_config.continuous)
            runPass(false);
        return;
    }

    const GuideSchedulerCheck::Remedy remedy = GuideSchedulerCheck::remedy(finding.jobs);
    auto say = [&] {
        return tr("The guide's scheduler is still active on this database: pg_cron job %1, posting to the "
                  "scheduler Edge Function, which dials calls without CallOps' claims, so a clinic could be "
                  "called twice. No calls are placed while it is active; the calls stay as they are. Remove "
                  "it as %2 (or a superuser): %3 (or switch it off: %4). CallOps looks again every %5 s and "
                  "goes on by itself.")
                .arg(remedy.jobs, remedy.owners, remedy.unschedule, remedy.deactivate)
                .arg(qMax(1, m_config.guideSchedulerCheckSeconds));
    };
    const QString reason = say();
    if (reason == m_heldReason)
        return;
    const bool wasHeld = held();
    m_heldReason = reason;
    journalled(QtWarningMsg, say);
    emit errorOccurred(reason);
    emit heldChanged(true, reason);
    reportPresence();
    // Calls claimed but not yet started go back as they were, for nobody until the job is gone.
    if (!wasHeld)
        releaseQueue(QStringLiteral("released"), 0);
}

void SchedulerEngine::dispatchFailed(const QString &message)
{
    // A lost connection dispatches again once it is back; any other error (a deadlock, a
    // statement timeout) is tried again shortly, so queued calls never wait for an answer that
    // is not coming.
    if (!dbError(message) && !m_dispatchTimer->isActive())
        m_dispatchTimer->start(kDispatchRetryMs);
}

void SchedulerEngine::onCallFinished(const CallResult &result)
{
    --m_inFlight;
    const RequestInFlight request = m_requests.take(result.request.pendingCallId);
    const QString id = result.request.pendingCallId;
    switch (result.status) {
    case CallResult::Status::Accepted:
    case CallResult::Status::AlreadyInProgress:
        if (m_probing) {
            m_probing = false;
            m_refusedPauseSeconds = qMax(1, m_config.refusedPauseSeconds);
            qCInfo(lcEngine) << "the call trigger accepts calls again";
            emit refusedChanged(false);
            reportPresence();
        }
        // callops.http has already logged the answer at info level; this adds the engine's view.
        qCDebug(lcEngine) << "call" << id << callKindName(result.request.kind) << "attempt"
                          << result.request.attempt << "accepted, HTTP" << result.httpStatus << "in"
                          << result.elapsedMs << "ms";
        break;
    case CallResult::Status::TransientFailure:
    case CallResult::Status::PermanentFailure:
    case CallResult::Status::Refused:
        qCWarning(lcEngine).noquote()
                << "call" << id << callKindName(result.request.kind) << "attempt" << result.request.attempt
                << QStringLiteral("failed (%1):").arg(callResultStatusName(result.status)) << result.error;
        setResult(request.passId, id, QStringLiteral("error"), result.error);
        recordFailure(result);
        if (result.status == CallResult::Status::Refused)
            stopCallsAfterRefusal(result);
        break;
    }
    if (auto pass = m_passes.find(request.passId); pass != m_passes.end())
        --pass->outstanding;
    finishPassIfDone(request.passId);
    if (m_stopping) {
        if (m_inFlight == 0)
            finishStop();
        return;
    }
    // Answers that arrive together free their slots together: one dispatch (one transaction
    // starting several calls) for all of them, not one per answer.
    if (!m_dispatchTimer->isActive())
        m_dispatchTimer->start(0);
}

void SchedulerEngine::renewLeases()
{
    if (!m_connected || !m_repository || m_queue.isEmpty())
        return;
    QStringList ids;
    for (const QueuedCall &call : std::as_const(m_queue))
        ids.append(call.id);
    if (Status status = m_repository->renewLeases(ids, m_config.leaseSeconds); !status)
        dbError(status.error());
}

void SchedulerEngine::scheduleWake()
{
    if (!m_repository)
        return;
    const auto next = m_repository->nextDue();
    if (!next) {
        dbError(next.error());
        return;
    }
    if (!next->isValid())
        return;
    const qint64 ms = databaseNow().msecsTo(*next);
    // The interval timer covers anything further away.
    if (ms < qint64(m_config.intervalSeconds) * 1000)
        m_wakeTimer->start(int(qMax<qint64>(ms, 0) + 50));
}

void SchedulerEngine::checkRowsNeedingAttention()
{
    const auto rows = m_repository->rowsNeedingAttention();
    if (!rows) {
        dbError(rows.error());
        return;
    }
    QStringList ids;
    QStringList messages;
    for (const RowNeedingAttention &row : *rows) {
        if (m_reportedRows.contains(row.id))
            continue;
        m_reportedRows.insert(row.id);
        auto say = [&row] {
            return row.noDueTime
                    ? tr("Call %1 is in state %2 with no next_action_at: it never comes due; skipped")
                              .arg(row.id, row.stateName)
                    : tr("Call %1 is in unknown state \"%2\": skipped").arg(row.id, row.stateName.left(64));
        };
        emit errorOccurred(journalled(QtWarningMsg, say));
        ids.append(row.id);
        // The row's note is read by every console: in the source language.
        messages.append(SourceLanguage::text(say));
    }
    // Also on the rows, where the console shows it beside the call.
    if (Status noted = m_repository->noteOnRows(ids, messages); !noted)
        dbError(noted.error());
}

void SchedulerEngine::releaseQueue(const QString &status, int delaySeconds)
{
    if (m_queue.isEmpty())
        return;
    QStringList ids;
    for (const QueuedCall &call : std::as_const(m_queue))
        ids.append(call.id);
    if (m_repository && m_connected) {
        if (Status result = m_repository->releaseLeases(ids, delaySeconds); !result)
            dbError(result.error());
    }
    const QList<QueuedCall> released = m_queue;
    m_queue.clear();
    for (const QueuedCall &call : released) {
        setResult(call.passId, call.id, status);
        if (auto pass = m_passes.find(call.passId); pass != m_passes.end())
            --pass->outstanding;
        finishPassIfDone(call.passId);
    }
}

void SchedulerEngine::stop()
{
    if (!m_running) {
        emit stopped();
        return;
    }
    if (m_stopping)
        return;
    m_stopping = true;
    for (QTimer *timer : {m_intervalTimer, m_wakeTimer, m_dispatchTimer, m_leaseTimer, m_reconnectTimer,
                          m_notifyDebounce, m_guideCheckTimer, m_presenceTimer})
        timer->stop();
    releaseQueue(QStringLiteral("released"), 0);
    qCInfo(lcEngine) << "stopping;" << m_inFlight << "request(s) in flight";
    if (m_inFlight == 0) {
        finishStop();
        return;
    }
    // Within systemd's TimeoutStopSec (60 s in the unit), whatever the HTTP timeout: a request
    // still unanswered then is aborted and recorded, and the claims go back, rather than the
    // process being killed with them.
    constexpr int kMaxStopGraceMs = 45000;
    m_stopGrace->start(std::min(m_config.httpTimeoutMs + 1000, kMaxStopGraceMs));
}

void SchedulerEngine::finishStop()
{
    if (!m_running)
        return;
    m_stopGrace->stop();
    if (m_repository && m_connected) {
        if (Status status = m_repository->releaseAllLeases(); !status)
            qCWarning(lcEngine).noquote() << status.error();
    }
    // The consoles stop showing it now rather than when its row goes stale.
    if (m_presence && m_connected) {
        if (const auto withdrawn = m_presence->withdraw(); !withdrawn.ok())
            qCWarning(lcEngine).noquote() << "cannot remove this scheduler's presence:" << withdrawn.error;
    }
    m_running = false;
    stopHttpThread();
    dropConnection();
    m_connected = false;
    qCInfo(lcEngine) << "scheduler" << m_config.schedulerId << "stopped";
    emit stopped();
}

void SchedulerEngine::stopHttpThread()
{
    if (!m_httpThread)
        return;
    // The trigger is deleted on its own thread as that thread finishes (deleteLater).
    m_httpThread->quit();
    m_httpThread->wait();
    m_httpThread.reset();
    m_trigger = nullptr;
    m_inFlight = 0;
}

QDateTime SchedulerEngine::machineNow() const
{
    return m_config.clock ? m_config.clock().toUTC() : QDateTime::currentDateTimeUtc();
}

QDateTime SchedulerEngine::databaseNow() const
{
    return machineNow().addMSecs(m_clockOffsetMs);
}

QDateTime SchedulerEngine::measureDatabaseClock(const QDateTime &before, const DatabaseTime &time)
{
    m_clockOffsetMs = ClockOffset::measure(before, time.current, machineNow());
    const bool off = std::abs(m_clockOffsetMs) > kClockOffReportMs;
    if (off && !m_clockOffReported)
        qCWarning(lcEngine).noquote()
                << QStringLiteral("this machine's clock is %1 s %2 the database's: the scheduler goes by the "
                                  "database's (due times, calling hours, calls per second); synchronise this "
                                  "machine's clock")
                           .arg(double(std::abs(m_clockOffsetMs)) / 1000.0, 0, 'f', 1)
                           .arg(m_clockOffsetMs < 0 ? QStringLiteral("ahead of") : QStringLiteral("behind"));
    m_clockOffReported = off;
    return time.transactionStart;
}

void SchedulerEngine::reportPresence()
{
    if (!m_presence || !m_connected || m_stopping)
        return;
    QString held = m_heldReason;
    if (held.isEmpty() && (refused() || m_probing))
        held = tr("The call trigger refuses its requests; trying again later");
    const auto reported = m_presence->report({m_paused, m_lastPassAt, held});
    if (reported.ok()) {
        m_presenceFailure.clear();
        return;
    }
    if (reported.connectionLost) {
        disconnectAfterError(reported.error);
        return;
    }
    // Nothing the calls depend on: the journal says it, once a reason.
    if (std::exchange(m_presenceFailure, reported.error) != reported.error)
        qCWarning(lcEngine).noquote() << "cannot tell the consoles this scheduler runs:" << reported.error;
}

void SchedulerEngine::dropConnection()
{
    // The statements go after the connection: with its driver gone they skip their DEALLOCATE,
    // which on a connection the server dropped only prints a warning each.
    const std::unique_ptr<PreparedStatements> statements
            = m_repository ? m_repository->takeStatements() : nullptr;
    m_cutter->clear();
    m_sessionWatch.reset();
    m_guideCheck.reset();
    m_presence.reset();
    m_repository.reset();
    DatabaseConnection::close(kPurpose);
}

} // namespace callops
