#include "TelephonySimulator.h"

#include "db/DatabaseConnection.h"
#include "db/PreparedStatements.h"
#include "scheduler/OutcomeRecorder.h"
#include "telephony/CallTrigger.h"

#include <QCoreApplication>
#include <QFile>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QPointer>
#include <QScopeGuard>
#include <QSqlDatabase>
#include <QTcpSocket>
#include <QTimer>

#include <cmath>
#include <limits>

namespace callops {
namespace {

Q_LOGGING_CATEGORY(lcSimulator, "callops.simulator")

const QString Purpose = QStringLiteral("simulator");

QByteArray headerValue(const QHttpServerRequest &request, QByteArrayView name)
{
    for (const auto &header : request.headers()) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0)
            return header.second;
    }
    return {};
}

QByteArray jsonBody(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray errorBody(const QString &message)
{
    return jsonBody({{QStringLiteral("error"), message}});
}

bool isProbability(double value)
{
    return std::isfinite(value) && value >= 0 && value <= 1;
}

} // namespace

// The random numbers one request uses, all drawn when it arrives: every well-formed request
// takes the same number of draws, so a seed gives the same story whatever the outcome.
struct TelephonySimulator::Draws
{
    double fault = 0;
    double outcome = 0;
    double task = 0;
    int firstDelayMs = 0;
    int secondDelayMs = 0;
};

// A request answered later (or never), with a guard for its connection, which the client may
// close first.
struct TelephonySimulator::Held
{
    QPointer<QTcpSocket> socket;
    QHttpServerResponder responder;
};

TelephonySimulator::TelephonySimulator(Config config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_random(m_config.seed)
{ }

TelephonySimulator::~TelephonySimulator()
{
    if (m_running)
        stop();
}

Status TelephonySimulator::validate(const Config &config)
{
    const auto &o = config.outcomes;
    const auto &f = config.faults;
    for (const double odds : {o.human, o.ivrOnly, o.ivrThenHuman, o.noAnswer, o.taskSuccess, f.timeout,
                              f.serverError, f.clientError, f.slow}) {
        if (!isProbability(odds)) {
            return Error{QCoreApplication::translate("TelephonySimulator",
                                                     "Simulator odds must be between 0 and 1.")};
        }
    }
    if (o.human + o.ivrOnly + o.ivrThenHuman + o.noAnswer <= 0) {
        return Error{QCoreApplication::translate("TelephonySimulator",
                                                 "At least one classification outcome needs odds above 0.")};
    }
    if (f.timeout + f.serverError + f.clientError + f.slow > 1 + 1e-9) {
        return Error{QCoreApplication::translate("TelephonySimulator",
                                                 "The simulator's fault odds add up to more than 1.")};
    }
    if (o.minDelayMs < 0 || o.maxDelayMs < o.minDelayMs) {
        return Error{QCoreApplication::translate(
                "TelephonySimulator", "The simulator's outcome delays need 0 <= minimum <= maximum.")};
    }
    if (f.slowMs < 0 || f.timeoutAnswerMs < 0)
        return Error{
                QCoreApplication::translate("TelephonySimulator", "Simulator delays cannot be negative.")};
    if (f.clientErrorStatus < 400 || f.clientErrorStatus > 499 || f.clientErrorStatus == 409) {
        return Error{QCoreApplication::translate("TelephonySimulator",
                                                 "The simulator's client error status must be a 4xx other "
                                                 "than 409.")};
    }
    return Status::success();
}

Status TelephonySimulator::start()
{
    if (m_running)
        return Status::success();
    if (const Status valid = validate(m_config); !valid)
        return valid;

    if (!m_config.recordFile.isEmpty()) {
        auto file = std::make_unique<QFile>(m_config.recordFile);
        if (!file->open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text)) {
            return Error{
                    QCoreApplication::translate("TelephonySimulator", "Cannot open the record file %1: %2")
                            .arg(m_config.recordFile, file->errorString())};
        }
        m_record = std::move(file);
    }
    if (m_config.database) {
        const auto db = DatabaseConnection::open(*m_config.database, Purpose);
        if (!db) {
            m_record.reset();
            return Error{db.error()};
        }
    }

    m_server = std::make_unique<QHttpServer>();
    m_server->route(QStringLiteral("/functions/v1/pre-classify-call"),
                    [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                        handle(request, std::move(responder));
                    });
    const quint16 port = m_server->listen(QHostAddress::LocalHost, m_config.port);
    if (port == 0) {
        m_server.reset();
        m_record.reset();
        if (m_config.database)
            DatabaseConnection::close(Purpose);
        return Error{
                QCoreApplication::translate("TelephonySimulator",
                                            "The telephony simulator cannot listen on 127.0.0.1:%1 (is the "
                                            "port in use?).")
                        .arg(m_config.port)};
    }
    m_port = port;
    m_running = true;
    qCInfo(lcSimulator) << "listening on 127.0.0.1 port" << port << "seed" << m_config.seed;
    return Status::success();
}

void TelephonySimulator::stop()
{
    if (!m_running)
        return;
    m_running = false;
    ++m_generation;
    m_pendingOutcomes = 0;
    // The responders never touch their sockets when they go away; the server then closes them.
    std::map<quint64, std::unique_ptr<Held>> held;
    held.swap(m_held);
    held.clear();
    m_server.reset();
    m_acceptedKeys.clear();
    m_port = 0;
    {
        QMutexLocker lock(&m_requestsMutex);
        m_record.reset();
    }
    if (m_config.database)
        dropConnection();
    qCInfo(lcSimulator) << "stopped";
}

QList<TelephonySimulator::Request> TelephonySimulator::requests() const
{
    QMutexLocker lock(&m_requestsMutex);
    return m_requests;
}

void TelephonySimulator::handle(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    Request record;
    record.receivedAt = QDateTime::currentDateTimeUtc();
    record.idempotencyKey = QString::fromUtf8(headerValue(request, "Idempotency-Key"));

    if (request.method() != QHttpServerRequest::Method::Post) {
        record.fault = QStringLiteral("bad_request");
        answer(responder, record, 405, errorBody(QStringLiteral("POST only")));
        return;
    }

    if (!m_config.expectedKey.isEmpty()) {
        const QByteArray key = m_config.expectedKey.toUtf8();
        const bool bearerOk = headerValue(request, "Authorization") == "Bearer " + key;
        const bool apikeyOk = headerValue(request, "apikey") == key;
        if (!bearerOk && !apikeyOk) {
            record.fault = QStringLiteral("unauthorized");
            answer(responder, record, 401, errorBody(QStringLiteral("missing or wrong service key")));
            return;
        }
    }

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(request.body(), &parseError);
    const QJsonObject body = document.object();
    record.pendingCallId = body.value(u"pending_call_id").toString();
    record.kind = body.value(u"kind").toString();
    const QJsonValue attempt = body.value(u"attempt");
    if (attempt.isDouble() && attempt.toDouble() == std::floor(attempt.toDouble()) && attempt.toDouble() >= 0
        && attempt.toDouble() <= std::numeric_limits<int>::max()) {
        record.attempt = attempt.toInt();
    }

    QString problem;
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        problem = QStringLiteral("body is not a JSON object");
    else if (record.pendingCallId.isEmpty())
        problem = QStringLiteral("pending_call_id missing");
    else if (!callKindFromName(record.kind))
        problem = QStringLiteral("kind must be classification or task");
    else if (record.attempt < 0)
        problem = QStringLiteral("attempt must be a whole number >= 0");
    else if (record.idempotencyKey
             != record.pendingCallId + u':' + record.kind + u':' + QString::number(record.attempt))
        problem = QStringLiteral("Idempotency-Key must be pending_call_id:kind:attempt");
    if (!problem.isEmpty()) {
        record.fault = QStringLiteral("bad_request");
        answer(responder, record, 400, errorBody(problem));
        return;
    }

    if (m_acceptedKeys.contains(record.idempotencyKey)) {
        record.fault = QStringLiteral("duplicate");
        answer(responder, record, 409,
               jsonBody({{QStringLiteral("status"), QStringLiteral("already_in_progress")}}));
        return;
    }

    const auto &outcomes = m_config.outcomes;
    Draws draws;
    draws.fault = m_random.generateDouble();
    draws.outcome = m_random.generateDouble();
    draws.task = m_random.generateDouble();
    draws.firstDelayMs = int(m_random.bounded(outcomes.minDelayMs, outcomes.maxDelayMs + 1));
    draws.secondDelayMs = int(m_random.bounded(outcomes.minDelayMs, outcomes.maxDelayMs + 1));

    const auto &faults = m_config.faults;
    Fault fault = Fault::None;
    double threshold = faults.timeout;
    if (draws.fault < threshold)
        fault = Fault::Timeout;
    else if (draws.fault < (threshold += faults.serverError))
        fault = Fault::ServerError;
    else if (draws.fault < (threshold += faults.clientError))
        fault = Fault::ClientError;
    else if (draws.fault < (threshold += faults.slow))
        fault = Fault::Slow;

    const QByteArray accepted = jsonBody({{QStringLiteral("status"), QStringLiteral("accepted")},
                                          {QStringLiteral("pending_call_id"), record.pendingCallId},
                                          {QStringLiteral("kind"), record.kind},
                                          {QStringLiteral("attempt"), record.attempt}});
    switch (fault) {
    case Fault::Timeout:
        record.fault = QStringLiteral("timeout");
        record.httpStatus = faults.timeoutAnswerMs > 0 ? 504 : 0;
        remember(record);
        answerLater(std::move(responder), faults.timeoutAnswerMs > 0 ? faults.timeoutAnswerMs : -1, 504,
                    errorBody(QStringLiteral("simulated timeout")));
        return;
    case Fault::ServerError:
        record.fault = QStringLiteral("server_error");
        answer(responder, record, 500, errorBody(QStringLiteral("simulated server error")));
        return;
    case Fault::ClientError:
        record.fault = QStringLiteral("client_error");
        answer(responder, record, faults.clientErrorStatus,
               errorBody(QStringLiteral("simulated client error")));
        return;
    case Fault::Slow:
        record.fault = QStringLiteral("slow");
        record.httpStatus = 202;
        m_acceptedKeys.insert(record.idempotencyKey);
        remember(record);
        answerLater(std::move(responder), faults.slowMs, 202, accepted);
        draws.firstDelayMs += faults.slowMs;
        scheduleOutcomes(record, draws);
        return;
    case Fault::None:
        m_acceptedKeys.insert(record.idempotencyKey);
        answer(responder, record, 202, accepted);
        scheduleOutcomes(record, draws);
        return;
    }
}

void TelephonySimulator::answer(QHttpServerResponder &responder, Request &record, int status,
                                const QByteArray &body)
{
    record.httpStatus = status;
    remember(record);
    responder.write(body, "application/json", QHttpServerResponder::StatusCode(status));
}

void TelephonySimulator::answerLater(QHttpServerResponder &&responder, int delayMs, int status,
                                     const QByteArray &body)
{
    const quint64 id = m_nextHeld++;
    QPointer<QTcpSocket> socket = responder.socket();
    m_held.emplace(id, std::unique_ptr<Held>(new Held{socket, std::move(responder)}));
    if (socket) {
        // The client gave up: forget the request.
        connect(socket, &QObject::destroyed, this, [this, id] { m_held.erase(id); });
    }
    if (delayMs < 0)
        return; // never answered
    QTimer::singleShot(delayMs, this, [this, id, status, body] {
        const auto it = m_held.find(id);
        if (it == m_held.end())
            return;
        const std::unique_ptr<Held> held = std::move(it->second);
        m_held.erase(it);
        if (held->socket && held->socket->state() == QAbstractSocket::ConnectedState)
            held->responder.write(body, "application/json", QHttpServerResponder::StatusCode(status));
    });
}

void TelephonySimulator::remember(const Request &record)
{
    qCDebug(lcSimulator).noquote() << "request" << record.idempotencyKey << "answered" << record.httpStatus
                                   << record.fault;
    QMutexLocker lock(&m_requestsMutex);
    m_requests.append(record);
    if (m_record) {
        const QJsonObject line{
                {QStringLiteral("pending_call_id"), record.pendingCallId},
                {QStringLiteral("kind"), record.kind},
                {QStringLiteral("attempt"), record.attempt},
                {QStringLiteral("idempotency_key"), record.idempotencyKey},
                {QStringLiteral("received_at"), record.receivedAt.toString(Qt::ISODateWithMs)},
                {QStringLiteral("status"), record.httpStatus},
                {QStringLiteral("fault"), record.fault},
        };
        // One write per line, so that lines of several processes appending to one file do not mix.
        m_record->write(jsonBody(line) + '\n');
        m_record->flush();
    }
}

void TelephonySimulator::scheduleOutcomes(const Request &record, const Draws &draws)
{
    if (!m_config.database)
        return;
    const QString id = record.pendingCallId;
    const int attempt = record.attempt;
    const quint64 generation = m_generation;
    const bool taskSucceeds = draws.task < m_config.outcomes.taskSuccess;

    if (record.kind == u"task") {
        ++m_pendingOutcomes;
        QTimer::singleShot(draws.firstDelayMs, this, [this, generation, id, attempt, taskSucceeds] {
            if (generation != m_generation)
                return;
            queueOutcome({id, attempt, true, 0, taskSucceeds});
        });
        return;
    }

    const auto &o = m_config.outcomes;
    const double pick = draws.outcome * (o.human + o.ivrOnly + o.ivrThenHuman + o.noAnswer);
    ClassificationResult result = ClassificationResult::Failed;
    if (pick < o.human)
        result = ClassificationResult::Human;
    else if (pick < o.human + o.ivrOnly)
        result = ClassificationResult::IvrOnly;
    else if (pick < o.human + o.ivrOnly + o.ivrThenHuman)
        result = ClassificationResult::IvrThenHuman;
    const bool human = result == ClassificationResult::Human;

    m_pendingOutcomes += human ? 2 : 1;
    const int secondDelayMs = draws.secondDelayMs;
    QTimer::singleShot(draws.firstDelayMs, this,
                       [this, generation, id, attempt, result, human, taskSucceeds, secondDelayMs] {
                           if (generation != m_generation)
                               return;
                           queueOutcome({id, attempt, false, int(result), false});
                           if (!human)
                               return;
                           // A person answered: the voice agent did the task in the same call.
                           QTimer::singleShot(secondDelayMs, this,
                                              [this, generation, id, attempt, taskSucceeds] {
                                                  if (generation != m_generation)
                                                      return;
                                                  queueOutcome({id, attempt, true, 0, taskSucceeds});
                                              });
                       });
}

void TelephonySimulator::queueOutcome(const QueuedOutcome &outcome)
{
    m_outcomeQueue.append(outcome);
    if (m_flushScheduled)
        return;
    m_flushScheduled = true;
    // Outcomes due within a few milliseconds share one transaction: one commit (and one
    // notification) for many calls, as a busy telephony backend's writers would batch them.
    QTimer::singleShot(2, this, [this, generation = m_generation] {
        m_flushScheduled = false;
        if (generation == m_generation)
            flushOutcomes();
        else
            m_outcomeQueue.clear();
    });
}

TaskOutcome TelephonySimulator::taskOutcome(const QueuedOutcome &outcome)
{
    return {outcome.pendingCallId, outcome.attempt,
            outcome.success ? TaskResult::Success : TaskResult::Failure, QStringLiteral("simulated")};
}

Result<OutcomeApplied> TelephonySimulator::apply(OutcomeRecorder &recorder,
                                                 const QueuedOutcome &outcome) const
{
    if (outcome.task) {
        const TaskOutcome task = taskOutcome(outcome);
        return recorder.recordTaskResult(task.pendingCallId, task.attempt, task.result, task.detail);
    }
    const auto classification = ClassificationResult(outcome.classification);
    return recorder.recordClassification(outcome.pendingCallId, outcome.attempt, classification,
                                         classification == ClassificationResult::Failed
                                                 ? QStringLiteral("simulated: no answer")
                                                 : QStringLiteral("simulated"));
}

std::optional<QList<OutcomeApplied>>
TelephonySimulator::applyTogether(OutcomeRecorder &recorder, const QList<QueuedOutcome> &batch) const
{
    // Classification outcomes first, one by one: a call's classification and the outcome of the
    // task call it led to can be due together, and the task outcome needs the row calling.
    QList<OutcomeApplied> results(batch.size());
    QList<TaskOutcome> tasks;
    QList<qsizetype> taskIndexes;
    for (qsizetype i = 0; i < batch.size(); ++i) {
        const QueuedOutcome &outcome = batch.at(i);
        if (outcome.task) {
            tasks.append(taskOutcome(outcome));
            taskIndexes.append(i);
            continue;
        }
        const Result<OutcomeApplied> applied = apply(recorder, outcome);
        if (!applied)
            return std::nullopt;
        results[i] = *applied;
    }
    const auto applied = recorder.recordTaskResults(tasks);
    if (!applied)
        return std::nullopt;
    for (qsizetype t = 0; t < taskIndexes.size(); ++t)
        results[taskIndexes.at(t)] = applied->at(t);
    return results;
}

void TelephonySimulator::report(const QueuedOutcome &outcome, const Result<OutcomeApplied> &applied)
{
    const QString kind = outcome.task ? QStringLiteral("task") : QStringLiteral("classification");
    if (!applied) {
        ++m_outcomeErrors;
        qCWarning(lcSimulator).noquote()
                << "cannot write" << kind << "outcome of" << outcome.pendingCallId << ":" << applied.error();
        emit outcomeFailed(outcome.pendingCallId, applied.error());
        return;
    }
    const QString name = outcome.task
            ? OutcomeRecorder::taskResultName(outcome.success ? TaskResult::Success : TaskResult::Failure)
            : OutcomeRecorder::classificationName(ClassificationResult(outcome.classification));
    ++m_outcomesWritten;
    qCDebug(lcSimulator).noquote() << kind << name << "for" << outcome.pendingCallId << "attempt"
                                   << outcome.attempt << (applied->moved ? "moved" : "kept in history only");
    emit outcomeWritten(outcome.pendingCallId, kind, outcome.attempt, name, applied->moved);
}

void TelephonySimulator::flushOutcomes()
{
    const QList<QueuedOutcome> batch = std::exchange(m_outcomeQueue, {});
    if (batch.isEmpty())
        return;
    auto finish = qScopeGuard([this, &batch] { m_pendingOutcomes -= int(batch.size()); });
    if (m_recorderFailed)
        dropConnection(); // a fresh connection and statements after an error
    const auto db = DatabaseConnection::open(*m_config.database, Purpose);
    if (!db) {
        for (const QueuedOutcome &outcome : batch)
            report(outcome, Error{db.error()});
        return;
    }
    QSqlDatabase connection = db.value();
    if (!m_recorder)
        m_recorder = std::make_unique<OutcomeRecorder>(connection, m_config.timings);
    OutcomeRecorder &recorder = *m_recorder;
    if (batch.size() > 1 && connection.transaction()) {
        if (auto results = applyTogether(recorder, batch); results && connection.commit()) {
            for (qsizetype i = 0; i < batch.size(); ++i)
                report(batch.at(i), results->at(i));
            return;
        }
        // One bad outcome spoils the batch: write them one by one so only it fails.
        connection.rollback();
    }
    bool failed = false;
    for (const QueuedOutcome &outcome : batch) {
        const Result<OutcomeApplied> applied = apply(recorder, outcome);
        failed = failed || !applied;
        report(outcome, applied);
    }
    m_recorderFailed = failed;
}

void TelephonySimulator::dropConnection()
{
    // The statements go after the connection (see PreparedStatements).
    const std::unique_ptr<PreparedStatements> statements
            = m_recorder ? m_recorder->takeStatements() : nullptr;
    m_recorder.reset();
    m_recorderFailed = false;
    DatabaseConnection::close(Purpose);
}

} // namespace callops
