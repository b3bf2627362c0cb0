#pragma once

#include "ClaimedCall.h"
#include "Decision.h"
#include "PassPlanner.h"
#include "common/Result.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QSqlError>

#include <memory>

namespace callops {

class PhoneNumberNormalizer;
class PreparedStatements;

// A call the database let this scheduler start: its state moved to classifying / calling with a
// new attempt number, committed before the POST goes out.
struct StartedCall
{
    QString id;
    bool classification = false;
    int attempt = 0;
};

struct PostFailureApplied
{
    bool moved = false;
    QString fromState;
    QString toState;
};

// The database's clock as one statement of a transaction read it.
struct DatabaseTime
{
    QDateTime transactionStart; // now(): what the transaction's claims and due times compare with
    QDateTime current; // clock_timestamp(): the moment the server answered
};

// A row the scheduler cannot act on and reports instead.
struct RowNeedingAttention
{
    QString id;
    QString stateName;
    bool noDueTime = false;
};

// The scheduler's SQL, batch by batch: claims, look-ups and decisions go as arrays in a few
// round trips per pass, never a query per row, and each statement is prepared once per
// connection. Statements live in resources/sql/engine and the migrations' functions. Every write names this
// scheduler as the actor of the history.
class PendingCallRepository
{
public:
    PendingCallRepository(QSqlDatabase db, QString schedulerId);
    ~PendingCallRepository();

    QSqlDatabase database() const { return m_db; }
    // Hands the prepared statements over, so that they can outlive the connection's removal (see
    // PreparedStatements); the repository is done after this.
    std::unique_ptr<PreparedStatements> takeStatements();
    QString schedulerId() const { return m_schedulerId; }

    // The pass transaction: begin, claim, look up, apply, commit. Begin reads the database's
    // clock, which decides when rows are due for every scheduler on it.
    Result<DatabaseTime> begin();
    Status commit();
    void rollback();
    Result<QList<ClaimedCall>> claimDue(int batch);
    Result<QHash<QString, ClassificationMatch>> lookUpClassifications(const QStringList &numbers);
    Result<QHash<QString, WorkflowState>> busyNumbers(const QStringList &numbers);
    Status applyDecisions(const QList<Decision> &decisions, int leaseSeconds);

    // Each of these is its own transaction.
    Result<QList<StartedCall>> startCalls(const QStringList &ids);
    Status releaseLeases(const QStringList &ids, int delaySeconds);
    Status renewLeases(const QStringList &ids, int leaseSeconds);
    Status releaseAllLeases();
    // `counted` false: the request never reached a call (the endpoint refused it), so the row goes
    // back without spending an attempt.
    Result<PostFailureApplied> recordPostFailure(const QString &id, int attempt, bool classification,
                                                 bool transient, bool counted, const QString &error,
                                                 int backoffSeconds);
    Result<QStringList> rescueInFlight(int timeoutSeconds);
    Result<QDateTime> reserveCallSlot(double callsPerSecond);
    Result<int> normaliseClassificationNumbers(const PhoneNumberNormalizer &normalizer, int limit);
    Result<QList<RowNeedingAttention>> rowsNeedingAttention();
    Result<QDateTime> nextDue();
    // Says on each row why the scheduler leaves it alone (last_error), without moving it:
    // messages[i] on ids[i], in one statement.
    Status noteOnRows(const QStringList &ids, const QStringList &messages);

    // True when the error means the connection is gone (server restarted, network lost), as
    // opposed to a statement that failed: the engine reconnects instead of reporting a row.
    static bool isConnectionLost(const QSqlError &error, const QSqlDatabase &db);
    bool connectionLost() const { return m_connectionLost; }

private:
    Result<DatabaseTime> setActor();
    Status updateLeases(const QString &statement, const QStringList &ids, const QString &secondsPlaceholder,
                        int seconds, const char *what);
    Error fail(const QSqlError &error, const char *what);

    QSqlDatabase m_db;
    QString m_schedulerId;
    std::unique_ptr<PreparedStatements> m_statements; // every statement prepared once per connection
    bool m_connectionLost = false;
};

} // namespace callops
