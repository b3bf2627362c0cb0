#include "ConsoleWorker.h"

#include "ConsoleRepository.h"
#include "common/ClockOffset.h"
#include "db/ConnectionCutter.h"
#include "db/ConnectionFailure.h"
#include "db/ConnectionSettings.h"
#include "db/DatabaseConnection.h"
#include "db/Migrator.h"
#include "db/QueryCanceller.h"
#include "reports/FailureReportFile.h"
#include "scheduler/SchedulerPresence.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QSqlDriver>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

Q_DECLARE_LOGGING_CATEGORY(lcConsole)

namespace callops {
namespace {

const QString kPurpose = QStringLiteral("console");
constexpr int kProbeIntervalMs = 4000;
constexpr qint64 kClockOffsetNewsMs = 1000;
// After a failed attempt, requests made within this time do not try again: each request of a
// refresh asks for the connection, and a host that does not answer held the thread for the
// connect timeout once per request while the refreshes queued up behind them.
constexpr int kRetryAfterFailureMs = 3000;
const QString kChannel = QStringLiteral("pending_calls");

} // namespace

ConsoleWorker::ConsoleWorker(StuckRules rules)
    : m_rules(std::move(rules))
    , m_cutter(std::make_shared<ConnectionCutter>())
{
    qRegisterMetaType<ConnectionProblem>();
    qRegisterMetaType<StateCounts>();
    qRegisterMetaType<CallRecord>();
    qRegisterMetaType<WorkflowEventRecord>();
    qRegisterMetaType<QList<CallRecord>>();
    qRegisterMetaType<QList<WorkflowEventRecord>>();
    qRegisterMetaType<ActionOutcome>();
    qRegisterMetaType<QList<ReasonCount>>();
    qRegisterMetaType<QList<SchedulerSighting>>();
}

ConsoleWorker::~ConsoleWorker()
{
    // The export's task emits this object's signals until it ends.
    m_export.waitForFinished();
}

void ConsoleWorker::openDatabase(const QString &url)
{
    closeDatabase();
    m_url = url;
    m_failure.clear();
    ensureOpen();
}

void ConsoleWorker::reconnect()
{
    m_failure.clear();
    ensureOpen();
}

void ConsoleWorker::closeDatabase()
{
    if (m_probe)
        m_probe->stop();
    if (m_repository)
        dropRepository();
    if (m_connected) {
        m_connected = false;
        emit connectionChanged(false, QCoreApplication::translate("ConsoleWorker", "Disconnected"),
                               ConnectionProblem::Unreachable);
    }
}

bool ConsoleWorker::ensureOpen()
{
    if (m_repository)
        return true;
    if (m_url.isEmpty() || m_closing.load())
        return false;
    // A refused login waits for reconnect() or new settings: trying it again by itself would get
    // the dispatcher's address blocked (ConnectionFailure).
    if (!m_failure.isEmpty()
        && (m_failureProblem == ConnectionProblem::Refused
            || m_sinceFailure.elapsed() < kRetryAfterFailureMs)) {
        emit connectionChanged(false, m_failure, m_failureProblem);
        return false;
    }
    const auto settings = ConnectionSettings::parse(m_url);
    if (!settings) {
        emit connectionChanged(false, settings.error(), ConnectionProblem::Unreachable);
        return false;
    }
    auto db = DatabaseConnection::open(*settings, kPurpose);
    if (!db) {
        connectFailed(db.error(),
                      ConnectionFailure::isRefusal(db.error()) ? ConnectionProblem::Refused
                                                               : ConnectionProblem::Unreachable);
        return false;
    }
    // A database CallOps has not migrated (this far), or a role that may not read the calls, fails
    // every read of the console's; each failure looked like a lost connection, and the console
    // reconnected and failed again dozens of times a second, under a banner saying the database
    // could not be reached. Said instead, with what to do, and looked at again every few seconds.
    QString notes; // said after the connection's name
    auto refuse = [&](const QString &message, ConnectionProblem problem) {
        DatabaseConnection::close(db.value(), kPurpose);
        connectFailed(message, problem);
        return false;
    };
    if (const auto schema = Migrator(*db).schemaState(); !schema) {
        qCInfo(lcConsole).noquote() << "cannot tell which migrations the database has:" << schema.error();
    } else if (!schema->isUsable()) {
        return refuse(schema->missingMessage(settings->target()), ConnectionProblem::NotMigrated);
    } else if (!schema->unknown.isEmpty()) {
        qCWarning(lcConsole).noquote() << schema->newerMessage(settings->target());
        notes = QCoreApplication::translate(
                "ConsoleWorker", " (migrated by a newer CallOps: update CallOps on this computer)");
    }
    if (const auto unreadable = ConsoleRepository::unreadableTables(*db);
        unreadable && !unreadable->isEmpty()) {
        return refuse(
                QCoreApplication::translate("ConsoleWorker",
                                            "%1 may not read %2: log in as a dispatcher (a role granted "
                                            "callops_dispatcher) or have SELECT on them granted.")
                        .arg(settings->target(), unreadable->join(QStringLiteral(", "))),
                ConnectionProblem::NotPermitted);
    }
    // A role that may only read (an auditor's) sees everything; the actions are not offered to it
    // rather than failing with "permission denied" after the dispatcher typed a reason.
    const auto mayChange = ConsoleRepository::mayChangeCalls(*db);
    const bool readOnly = mayChange && !*mayChange;
    if (readOnly) {
        notes += QCoreApplication::translate("ConsoleWorker", " (read only: this role may not change calls)");
    }
    m_failure.clear();
    m_failureProblem = ConnectionProblem::None;
    if (Status prepared = ConsoleRepository::prepareSession(*db); !prepared)
        qCWarning(lcConsole) << "console session left with the server's settings:" << prepared.error();
    if (!m_debounce) {
        m_debounce = new QTimer(this);
        m_debounce->setSingleShot(true);
        m_debounce->setInterval(m_debounceMs);
        connect(m_debounce, &QTimer::timeout, this, &ConsoleWorker::databaseChanged);
    }
    QSqlDriver *driver = db->driver();
    QString listening;
    if (settings->looksLikeTransactionPooler()) {
        listening = QCoreApplication::translate("ConsoleWorker",
                                                " (transaction pooler: no live updates, use port 5432)");
    } else if (driver->subscribeToNotification(kChannel)) {
        connect(driver, &QSqlDriver::notification, this,
                [this](const QString &channel) { notificationReceived(channel); });
    } else {
        listening = QCoreApplication::translate("ConsoleWorker", " (live updates unavailable)");
    }
    m_repository = std::make_unique<ConsoleRepository>(*db, m_rules);
    // The server knows a cancel by the session it is meant for: each new session needs its own.
    m_reads->setCanceller(QueryCanceller::forConnection(*db));
    m_cutter->set(*db);
    if (!m_probe) {
        // A dead session shows only when a query fails, and the console queries every 15 s: a
        // round trip every few seconds tells the dispatcher sooner that the screen is not live.
        m_probe = new QTimer(this);
        m_probe->setInterval(kProbeIntervalMs);
        connect(m_probe, &QTimer::timeout, this, &ConsoleWorker::probe);
    }
    m_probe->start();
    m_connected = true;
    emit changesPermitted(!readOnly);
    emit connectionChanged(true, settings->target() + listening + notes, ConnectionProblem::None);
    probe();
    return m_connected;
}

void ConsoleWorker::probe()
{
    if (!m_repository)
        return;
    const QDateTime before = QDateTime::currentDateTimeUtc();
    const auto databaseTime = m_repository->ping();
    if (!databaseTime) {
        lostConnection(databaseTime.error());
        return;
    }
    const qint64 offset = ClockOffset::measure(before, *databaseTime, QDateTime::currentDateTimeUtc());
    // Jitter of a round trip is no news; a clock set or drifting is.
    if (!m_clockOffsetMs || qAbs(offset - *m_clockOffsetMs) >= kClockOffsetNewsMs) {
        m_clockOffsetMs = offset;
        emit clockOffsetMeasured(offset);
    }
}

void ConsoleWorker::lostConnection(const QString &message)
{
    qCWarning(lcConsole) << "console query failed:" << message;
    emit errorOccurred(message);
    // The next request opens a fresh connection; a broken one would fail every query. A session
    // that still answers keeps its connection: the statement failed on its own (a privilege
    // revoked meanwhile), and reconnecting would only fail it again, at once. Closing, the session
    // was cut on purpose: nothing to ask it.
    if (m_repository && (m_closing.load() || !m_repository->ping())) {
        if (m_probe)
            m_probe->stop();
        dropRepository();
        m_connected = false;
        emit connectionChanged(false, message, ConnectionProblem::Unreachable);
    }
}

void ConsoleWorker::connectFailed(const QString &message, ConnectionProblem problem)
{
    m_connected = false;
    m_failure = message;
    m_failureProblem = problem;
    m_sinceFailure.start();
    emit connectionChanged(false, message, problem);
}

void ConsoleWorker::dropRepository()
{
    m_cutter->clear();
    m_reads->setCanceller(nullptr);
    m_repository.reset();
    DatabaseConnection::close(kPurpose);
}

template<typename Read>
std::optional<std::invoke_result_t<Read>> ConsoleWorker::runRead(quint64 stream, quint64 generation,
                                                                 Read read)
{
    for (int run = 1;; ++run) {
        const std::optional<quint64> started = m_reads->start(stream, generation);
        if (!started)
            return std::nullopt;
        auto result = read();
        m_reads->finish(*started);
        if (result || !m_repository->lastReadCancelled())
            return result;
        if (m_reads->isSuperseded(stream, generation)) {
            qCDebug(lcConsole) << "superseded read cancelled, stream" << stream << "generation" << generation;
            return std::nullopt;
        }
        // A cancel sent for a read before this one can land on this one (it went out while that
        // read was ending); or a statement_timeout cut it short. Once more, then it is an error.
        if (run == 2)
            return result;
        qCDebug(lcConsole) << "read cancelled though not superseded, run again: stream" << stream
                           << "generation" << generation;
    }
}

void ConsoleWorker::notificationReceived(const QString &channel)
{
    if (channel == kChannel && m_debounce && !m_debounce->isActive())
        m_debounce->start();
}

void ConsoleWorker::setStuckRules(const StuckRules &rules)
{
    m_rules = rules;
    if (m_repository)
        m_repository->setStuckRules(rules);
}

void ConsoleWorker::setDefaultRegion(const QString &region)
{
    m_phones = PhoneNumberNormalizer(region);
}

void ConsoleWorker::addPhoneDisplayForm(CallRecord &call) const
{
    // Here rather than in the table model: libphonenumber takes tens of microseconds a number,
    // which a page of rows would cost the GUI thread.
    call.phoneDisplay = m_phones.displayForm(call.phone);
}

void ConsoleWorker::setDebounceMilliseconds(int milliseconds)
{
    m_debounceMs = milliseconds;
    if (m_debounce)
        m_debounce->setInterval(milliseconds);
}

void ConsoleWorker::refreshCounts()
{
    if (!ensureOpen())
        return;
    // A small table, read first. A database migrated by an older CallOps, or a role not granted it,
    // leaves the console unable to tell, not broken.
    if (const auto seen = m_repository->schedulers(SchedulerPresence::kStaleSeconds))
        emit schedulersSeen(*seen);
    else
        qCDebug(lcConsole).noquote() << "cannot read the schedulers' presence:" << seen.error();
    const auto counts = m_repository->stateCounts();
    if (!counts)
        return lostConnection(counts.error());
    emit countsLoaded(*counts);
}

void ConsoleWorker::loadFilterOptions()
{
    if (!ensureOpen())
        return;
    const auto clinics = m_repository->clinics();
    const auto reasons = m_repository->failureReasons();
    if (!clinics)
        return lostConnection(clinics.error());
    if (!reasons)
        return lostConnection(reasons.error());
    emit filterOptionsLoaded(*clinics, *reasons);
}

std::optional<qint64> ConsoleWorker::countRead(quint64 stream, quint64 generation, const CallFilter &filter)
{
    if (m_reads->isSuperseded(stream, generation) || !ensureOpen())
        return std::nullopt;
    const auto total = runRead(stream, generation, [&] { return m_repository->count(filter); });
    if (!total)
        return std::nullopt;
    if (!*total) {
        lostConnection(total->error());
        return std::nullopt;
    }
    return **total;
}

void ConsoleWorker::countFiltered(quint64 stream, quint64 generation, const CallFilter &filter)
{
    if (const std::optional<qint64> total = countRead(stream, generation, filter))
        emit filteredCounted(generation, *total);
}

void ConsoleWorker::loadPage(quint64 stream, quint64 generation, const CallFilter &filter,
                             const CallSort &sort, qint64 offset, int limit)
{
    if (m_reads->isSuperseded(stream, generation) || !ensureOpen())
        return;
    auto read = runRead(stream, generation, [&] { return m_repository->page(filter, sort, offset, limit); });
    if (!read)
        return;
    auto &calls = *read;
    if (!calls)
        return lostConnection(calls.error());
    for (CallRecord &call : calls.value())
        addPhoneDisplayForm(call);
    emit pageLoaded(generation, offset, *calls, calls->size() < limit);
}

void ConsoleWorker::loadCall(const QString &id)
{
    if (!ensureOpen())
        return;
    auto call = m_repository->call(id);
    if (!call) {
        emit errorOccurred(call.error());
        return;
    }
    const auto history = m_repository->history(id);
    if (!history)
        return lostConnection(history.error());
    addPhoneDisplayForm(call.value());
    emit callLoaded(*call, *history);
}

void ConsoleWorker::countMatching(quint64 stream, quint64 ticket, const CallFilter &filter)
{
    if (const std::optional<qint64> total = countRead(stream, ticket, filter))
        emit matchingCounted(ticket, *total);
}

void ConsoleWorker::applyAction(ManualAction action, const QStringList &ids, const QString &reason,
                                const QString &actor, const QList<int> &seenAttempts)
{
    if (!ensureOpen()) {
        ActionOutcome outcome;
        outcome.action = action;
        outcome.error = QCoreApplication::translate("ConsoleWorker", "Not connected to the database.");
        emit actionFinished(outcome);
        return;
    }
    emit actionFinished(m_repository->apply(action, ids, reason, actor, seenAttempts));
}

void ConsoleWorker::applyActionToFilter(ManualAction action, const CallFilter &filter, const QString &reason,
                                        const QString &actor)
{
    if (!ensureOpen()) {
        ActionOutcome outcome;
        outcome.action = action;
        outcome.error = QCoreApplication::translate("ConsoleWorker", "Not connected to the database.");
        emit actionFinished(outcome);
        return;
    }
    emit actionFinished(m_repository->applyToFilter(action, filter, reason, actor));
}

void ConsoleWorker::searchHistory(const QString &text)
{
    if (!ensureOpen())
        return;
    const auto events = m_repository->searchHistory(text);
    if (!events)
        return lostConnection(events.error());
    emit historySearched(text, *events);
}

void ConsoleWorker::exportFailures(const QString &path, const FailureReportOptions &options)
{
    if (!ensureOpen()) {
        emit exportFinished(false,
                            QCoreApplication::translate("ConsoleWorker", "Not connected to the database."));
        return;
    }
    if (m_export.isRunning()) {
        emit exportFinished(false,
                            QCoreApplication::translate("ConsoleWorker", "An export is already running."));
        return;
    }
    auto calls = m_repository->failures(options.since(), options.until(), options.states, options.clinic);
    if (!calls) {
        emit exportFinished(false, calls.error());
        return;
    }
    // Laying a large report out takes seconds (10^5 calls: ~5 s of phone numbers, ~20 s of PDF):
    // on this thread it held up every refresh and action of the console until it was done. The
    // signals reach their receivers queued, from the pool's thread.
    m_export = QtConcurrent::run([this, path, options, calls = std::move(*calls), phones = m_phones] {
        const Status written = FailureReportFile::write(
                path, calls, options, phones,
                [this](qsizetype done, qsizetype total) { emit exportProgressed(done, total); });
        if (!written) {
            emit exportFinished(false, written.error());
            return;
        }
        emit exportFinished(true,
                            QCoreApplication::translate("ConsoleWorker", "Wrote %n failed call(s) to %1.",
                                                        nullptr, int(calls.size()))
                                    .arg(path));
    });
}

} // namespace callops
