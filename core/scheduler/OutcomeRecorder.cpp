#include "OutcomeRecorder.h"

#include "common/MessageText.h"

#include "db/DatabaseConnection.h"
#include "db/PreparedStatements.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

Q_LOGGING_CATEGORY(lcOutcomes, "callops.outcomes")

namespace callops {
namespace {

Result<OutcomeApplied> readApplied(QSqlQuery &query)
{
    if (!query.next())
        return Error{QCoreApplication::translate("OutcomeRecorder", "the outcome function returned nothing")};
    OutcomeApplied applied;
    applied.moved = query.value(0).toBool();
    applied.fromState = query.value(1).toString();
    applied.toState = query.value(2).toString();
    applied.currentAttempt = query.value(3).toInt();
    return applied;
}

// The id in canonical form, or an error. QUuid::fromString reads a UUID at the start of longer
// text too: anything but exactly one UUID (optionally in braces) is refused here.
Result<QString> canonicalId(const QString &id)
{
    const QUuid uuid = QUuid::fromString(id);
    const QString canonical = uuid.toString(QUuid::WithoutBraces);
    if (uuid.isNull()
        || (id.compare(canonical, Qt::CaseInsensitive) != 0
            && id.compare(uuid.toString(QUuid::WithBraces), Qt::CaseInsensitive) != 0))
        return Error{
                QCoreApplication::translate("OutcomeRecorder", "\"%1\" is not a pending call id (a UUID)")
                        .arg(MessageText::quoted(id, 64))};
    return canonical;
}

// PostgreSQL text cannot hold NUL, and QPSQL sends values inside the statement text, where a NUL
// would cut the statement short: drop them from free text.
QVariant detailValue(const QString &detail)
{
    if (detail.isEmpty())
        return QVariant(QMetaType(QMetaType::QString));
    QString clean = detail;
    clean.remove(QChar(0));
    return clean;
}

} // namespace

OutcomeRecorder::OutcomeRecorder(QSqlDatabase db, OutcomeTimings timings)
    : m_timings(timings)
    , m_statements(std::make_unique<PreparedStatements>(db))
{ }

OutcomeRecorder::~OutcomeRecorder() = default;

std::unique_ptr<PreparedStatements> OutcomeRecorder::takeStatements()
{
    return std::move(m_statements);
}

Result<OutcomeApplied> OutcomeRecorder::recordClassification(const QString &pendingCallId, int attempt,
                                                             ClassificationResult result,
                                                             const QString &detail)
{
    const Result<QString> id = canonicalId(pendingCallId);
    if (!id)
        return Error{id.error()};
    QSqlQuery *query = m_statements->prepared(QStringLiteral(
            "SELECT moved, from_state, to_state, current_attempt "
            "FROM callops_record_classification(CAST(:id AS uuid), :attempt, :result, :detail, "
            ":ivr_wait, :valid_days, :backoff_base, :backoff_cap)"));
    if (!query)
        return Error{DatabaseConnection::describeError(m_statements->lastError())};
    query->bindValue(QStringLiteral(":id"), *id);
    query->bindValue(QStringLiteral(":attempt"), attempt);
    query->bindValue(QStringLiteral(":result"), classificationName(result));
    query->bindValue(QStringLiteral(":detail"), detailValue(detail));
    query->bindValue(QStringLiteral(":ivr_wait"), m_timings.ivrWaitSeconds);
    query->bindValue(QStringLiteral(":valid_days"), m_timings.classificationValidDays);
    query->bindValue(QStringLiteral(":backoff_base"), m_timings.backoffBaseSeconds);
    query->bindValue(QStringLiteral(":backoff_cap"), m_timings.backoffCapSeconds);
    if (!query->exec())
        return Error{DatabaseConnection::describeError(query->lastError())};
    return readApplied(*query);
}

Result<OutcomeApplied> OutcomeRecorder::recordTaskResult(const QString &pendingCallId, int attempt,
                                                         TaskResult result, const QString &detail)
{
    const Result<QString> id = canonicalId(pendingCallId);
    if (!id)
        return Error{id.error()};
    QSqlQuery *query = m_statements->prepared(
            QStringLiteral("SELECT moved, from_state, to_state, current_attempt "
                           "FROM callops_record_task_result(CAST(:id AS uuid), :attempt, :success, :detail, "
                           ":retry_delay)"));
    if (!query)
        return Error{DatabaseConnection::describeError(m_statements->lastError())};
    query->bindValue(QStringLiteral(":id"), *id);
    query->bindValue(QStringLiteral(":attempt"), attempt);
    query->bindValue(QStringLiteral(":success"), result == TaskResult::Success);
    query->bindValue(QStringLiteral(":detail"), detailValue(detail));
    query->bindValue(QStringLiteral(":retry_delay"), m_timings.taskRetryDelaySeconds);
    if (!query->exec())
        return Error{DatabaseConnection::describeError(query->lastError())};
    return readApplied(*query);
}

Result<QList<OutcomeApplied>> OutcomeRecorder::recordTaskResults(const QList<TaskOutcome> &outcomes)
{
    QList<OutcomeApplied> results;
    if (outcomes.isEmpty())
        return results;
    QJsonArray rows;
    for (const TaskOutcome &outcome : outcomes) {
        const Result<QString> id = canonicalId(outcome.pendingCallId);
        if (!id)
            return Error{id.error()};
        QJsonObject row{{QStringLiteral("id"), *id},
                        {QStringLiteral("attempt"), outcome.attempt},
                        {QStringLiteral("success"), outcome.result == TaskResult::Success}};
        if (const QVariant detail = detailValue(outcome.detail); !detail.isNull())
            row.insert(QStringLiteral("detail"), detail.toString());
        rows.append(row);
    }
    QSqlQuery *query = m_statements->prepared(
            QStringLiteral("SELECT n, moved, from_state, to_state, current_attempt "
                           "FROM callops_record_task_results(CAST(:outcomes AS jsonb), :retry_delay)"));
    if (!query)
        return Error{DatabaseConnection::describeError(m_statements->lastError())};
    query->bindValue(QStringLiteral(":outcomes"),
                     QString::fromUtf8(QJsonDocument(rows).toJson(QJsonDocument::Compact)));
    query->bindValue(QStringLiteral(":retry_delay"), m_timings.taskRetryDelaySeconds);
    // A batch locks its rows in the order of its updates and a dispatcher's action in id order:
    // PostgreSQL may end a deadlock between them by aborting the batch, which then changed nothing
    // and is simply tried again. Given up, its calls would wait for the in-flight timeout and be
    // dialled again although their outcome came.
    constexpr int kTries = 3;
    for (int attempt = 1; !query->exec(); ++attempt) {
        const QString state = query->lastError().nativeErrorCode();
        const bool retryable = state == u"40P01" || state == u"40001";
        if (!retryable || attempt == kTries)
            return Error{DatabaseConnection::describeError(query->lastError())};
        qCInfo(lcOutcomes) << "task outcomes aborted by the database (SQLSTATE" << state << "); trying again";
    }
    results.resize(outcomes.size());
    qsizetype answered = 0;
    while (query->next()) {
        const qsizetype index = query->value(0).toLongLong() - 1;
        if (index < 0 || index >= results.size())
            continue;
        results[index] = {query->value(1).toBool(), query->value(2).toString(), query->value(3).toString(),
                          query->value(4).toInt()};
        ++answered;
    }
    if (answered != outcomes.size())
        return Error{QCoreApplication::translate("OutcomeRecorder",
                                                 "the outcome function answered %1 of %2 outcomes")
                             .arg(answered)
                             .arg(outcomes.size())};
    return results;
}

std::optional<ClassificationResult> OutcomeRecorder::classificationFromName(const QString &name)
{
    if (name == u"human")
        return ClassificationResult::Human;
    if (name == u"ivr_only")
        return ClassificationResult::IvrOnly;
    if (name == u"ivr_then_human")
        return ClassificationResult::IvrThenHuman;
    if (name == u"failed")
        return ClassificationResult::Failed;
    return std::nullopt;
}

QString OutcomeRecorder::classificationName(ClassificationResult result)
{
    switch (result) {
    case ClassificationResult::Human:
        return QStringLiteral("human");
    case ClassificationResult::IvrOnly:
        return QStringLiteral("ivr_only");
    case ClassificationResult::IvrThenHuman:
        return QStringLiteral("ivr_then_human");
    case ClassificationResult::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

std::optional<TaskResult> OutcomeRecorder::taskResultFromName(const QString &name)
{
    if (name == u"success")
        return TaskResult::Success;
    if (name == u"failure")
        return TaskResult::Failure;
    return std::nullopt;
}

QString OutcomeRecorder::taskResultName(TaskResult result)
{
    return result == TaskResult::Success ? QStringLiteral("success") : QStringLiteral("failure");
}

} // namespace callops
