#pragma once

#include "common/Result.h"
#include "db/ConnectionSettings.h"
#include "scheduler/OutcomeRecorder.h"

#include <QDateTime>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QRandomGenerator>
#include <QSet>
#include <QString>

#include <atomic>
#include <map>
#include <memory>
#include <optional>

class QFile;
class QHttpServer;
class QHttpServerRequest;
class QHttpServerResponder;
class QTcpSocket;

namespace callops {

// A stand-in for the telephony side, for the demo and the tests: an HTTP server on 127.0.0.1 that
// answers like the pre-classify-call Edge Function (DESIGN.md "Call trigger") and, like the
// Deepgram server and VAPI's post-call hook, later writes each call's outcome through
// OutcomeRecorder, with configurable odds, delays and injected faults. Random choices come from a
// seeded generator, so a run with one client is reproducible.
//
// Threads: create it without a parent, move it to its own QThread and call start() there (or use
// SimulatorThread, which does that); it opens its own database connection (purpose "simulator")
// on that thread. requests(), port() and the counters may be read from any thread.
class TelephonySimulator final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TelephonySimulator)

public:
    // What an accepted call finds. The classification weights need not sum to 1.
    struct Outcomes
    {
        double human = 0.6; // then the task is done in the same call: a task result follows
        double ivrOnly = 0.15;
        double ivrThenHuman = 0.15;
        double noAnswer = 0.1; // recorded as ClassificationResult::Failed
        double taskSuccess = 0.8; // probability, for task calls and human-answered calls
        int minDelayMs = 200; // from the answer to each outcome
        int maxDelayMs = 1000;
    };

    // Faults, each a probability per well-formed request (their sum at most 1). A faulted request
    // is a call that did not happen: no outcome is written and its Idempotency-Key is not kept.
    // Slow answers are not failures: the call happens, the answer just comes late.
    struct Faults
    {
        double timeout = 0; // no answer (or 504 after timeoutAnswerMs, when that is > 0)
        int timeoutAnswerMs = 0;
        double serverError = 0; // 500
        double clientError = 0; // clientErrorStatus
        int clientErrorStatus = 422;
        double slow = 0; // 202 after slowMs
        int slowMs = 2000;
    };

    struct Config
    {
        quint16 port = 0; // 0: any free port, see port()
        QString expectedKey; // checked as "Bearer <key>" or "apikey: <key>"; empty: not checked
        std::optional<ConnectionSettings> database; // where outcomes go; none: answer only
        OutcomeTimings timings; // as the schedulers are configured (IVR wait, task retry delay, ...)
        QString recordFile; // each request appended as a JSON line (for multi-process tests)
        quint32 seed = 1;
        Outcomes outcomes;
        Faults faults;
    };

    // One request as the simulator saw and answered it.
    struct Request
    {
        QString pendingCallId;
        QString kind;
        int attempt = -1;
        QString idempotencyKey;
        QDateTime receivedAt;
        int httpStatus = 0; // the status answered; 0: never answered
        QString fault; // empty, or timeout / server_error / client_error / slow / duplicate /
                       // unauthorized / bad_request
    };

    explicit TelephonySimulator(Config config, QObject *parent = nullptr);
    ~TelephonySimulator() override;

    static Status validate(const Config &config);

    // On the simulator's thread: opens the record file and the database (when configured) and
    // starts listening on 127.0.0.1.
    Status start();
    // On the simulator's thread: stops listening, drops held requests and pending outcomes,
    // closes the database connection.
    void stop();

    quint16 port() const { return m_port.load(); }
    QList<Request> requests() const;
    int outcomesWritten() const { return m_outcomesWritten.load(); }
    int outcomeErrors() const { return m_outcomeErrors.load(); }
    int pendingOutcomes() const { return m_pendingOutcomes.load(); }

signals:
    void outcomeWritten(const QString &pendingCallId, const QString &kind, int attempt,
                        const QString &outcome, bool moved);
    void outcomeFailed(const QString &pendingCallId, const QString &error);

private:
    enum class Fault : quint8 { None, Timeout, ServerError, ClientError, Slow };
    struct Draws; // the random numbers one request uses, drawn at once

    void handle(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    void answer(QHttpServerResponder &responder, Request &record, int status, const QByteArray &body);
    void answerLater(QHttpServerResponder &&responder, int delayMs, int status, const QByteArray &body);
    void remember(const Request &record);
    void scheduleOutcomes(const Request &record, const Draws &draws);
    struct QueuedOutcome
    {
        QString pendingCallId;
        int attempt = 0;
        bool task = false;
        int classification = 0; // ClassificationResult, for classification outcomes
        bool success = false; // for task outcomes
    };
    void queueOutcome(const QueuedOutcome &outcome);
    void flushOutcomes();
    void dropConnection();
    static TaskOutcome taskOutcome(const QueuedOutcome &outcome);
    Result<OutcomeApplied> apply(OutcomeRecorder &recorder, const QueuedOutcome &outcome) const;
    // The whole batch in the open transaction, task outcomes in one statement; nothing on error.
    std::optional<QList<OutcomeApplied>> applyTogether(OutcomeRecorder &recorder,
                                                       const QList<QueuedOutcome> &batch) const;
    void report(const QueuedOutcome &outcome, const Result<OutcomeApplied> &applied);

    Config m_config;
    std::unique_ptr<QHttpServer> m_server;
    std::unique_ptr<QFile> m_record;
    QRandomGenerator m_random;
    QSet<QString> m_acceptedKeys;
    // Requests held without an answer (timeout faults, slow answers), by a running number.
    struct Held;
    std::map<quint64, std::unique_ptr<Held>> m_held;
    quint64 m_nextHeld = 0;
    bool m_running = false;
    // Bumped by stop(): outcome timers of an earlier run do nothing.
    quint64 m_generation = 0;
    QList<QueuedOutcome> m_outcomeQueue;
    bool m_flushScheduled = false;
    // Kept across batches so its statements are prepared once; after an error, the next batch
    // starts on a fresh connection with a fresh recorder.
    std::unique_ptr<OutcomeRecorder> m_recorder;
    bool m_recorderFailed = false;

    mutable QMutex m_requestsMutex;
    QList<Request> m_requests;
    std::atomic<quint16> m_port{0};
    std::atomic<int> m_outcomesWritten{0};
    std::atomic<int> m_outcomeErrors{0};
    std::atomic<int> m_pendingOutcomes{0};
};

} // namespace callops
