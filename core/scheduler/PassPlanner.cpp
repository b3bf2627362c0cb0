#include "PassPlanner.h"

#include "i18n/SourceLanguage.h"

#include "phone/PhoneNumberNormalizer.h"
#include "phone/TimeZoneResolver.h"
#include "scheduler/CallingWindow.h"
#include "workflow/TransitionTable.h"

#include <QCoreApplication>
#include <QSet>

namespace callops {
namespace {

// Text::tr, not a free tr(): lupdate files a free function's strings under the enclosing
// namespace, so they would never match the context they are looked up in.
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(PassPlanner)
};

void move(Decision &decision, WorkflowEvent event)
{
    decision.event = event;
    decision.to = transitions::target(decision.from, event);
    Q_ASSERT_X(decision.to != WorkflowState::Unknown, "PassPlanner", "event not in the transition table");
}

} // namespace

PassPlanner::PassPlanner(Config config, const PhoneNumberNormalizer &normalizer,
                         const TimeZoneResolver &zones, const CallingWindow &window)
    : m_config(config)
    , m_normalizer(normalizer)
    , m_zones(zones)
    , m_window(window)
{ }

void PassPlanner::normalise(QList<ClaimedCall> &rows, QHash<QString, QString> &errors) const
{
    // The errors become the calls' failure_reason: in the source language, as every writer's.
    const SourceLanguage stored;
    // Calls to one clinic share its number: parse each distinct string once per pass.
    QHash<QString, Result<NormalizedPhone>> parsed;
    for (ClaimedCall &row : rows) {
        if (row.e164Known && row.e164.isEmpty()) {
            errors.insert(row.id, Text::tr("the phone number could not be read"));
            continue;
        }
        // Stored numbers are parsed again only for their region, which the calling window needs.
        const QString source = row.e164Known ? row.e164 : row.phone;
        auto cached = parsed.constFind(source);
        if (cached == parsed.cend())
            cached = parsed.insert(source, m_normalizer.normalize(source));
        const Result<NormalizedPhone> &normalised = *cached;
        if (!normalised) {
            row.e164.clear();
            errors.insert(row.id, normalised.error());
            continue;
        }
        row.e164 = normalised->e164;
        row.region = normalised->region;
    }
}

QStringList PassPlanner::numbersToLookUp(const QList<ClaimedCall> &rows)
{
    QSet<QString> numbers;
    for (const ClaimedCall &row : rows) {
        if ((row.state == WorkflowState::New || row.state == WorkflowState::CheckingClassification)
            && !row.e164.isEmpty())
            numbers.insert(row.e164);
    }
    return QStringList(numbers.cbegin(), numbers.cend());
}

QStringList PassPlanner::numbersToCall(const QList<ClaimedCall> &rows)
{
    QSet<QString> numbers;
    for (const ClaimedCall &row : rows) {
        if ((row.state == WorkflowState::NeedsClassification || row.state == WorkflowState::ReadyToCall)
            && !row.e164.isEmpty())
            numbers.insert(row.e164);
    }
    return QStringList(numbers.cbegin(), numbers.cend());
}

QList<Decision> PassPlanner::decide(const QList<ClaimedCall> &rows,
                                    const QHash<QString, QString> &normaliseErrors,
                                    const QHash<QString, ClassificationMatch> &classifications,
                                    const QHash<QString, WorkflowState> &busyNumbers,
                                    const QDateTime &now) const
{
    QList<Decision> decisions;
    decisions.reserve(rows.size());
    // Numbers this pass already plans to call: one call per number, the others wait for it
    // (a classification is shared; a task call waits until the line is free).
    QHash<QString, WorkflowState> planned = busyNumbers;
    for (const ClaimedCall &row : rows) {
        Decision decision = decideOne(row, normaliseErrors, classifications, planned, now);
        if (decision.lease)
            planned.insert(decision.e164,
                           decision.from == WorkflowState::NeedsClassification ? WorkflowState::Classifying
                                                                               : WorkflowState::Calling);
        decisions.append(decision);
    }
    return decisions;
}

Decision PassPlanner::decideOne(const ClaimedCall &row, const QHash<QString, QString> &normaliseErrors,
                                const QHash<QString, ClassificationMatch> &classifications,
                                const QHash<QString, WorkflowState> &busyNumbers, const QDateTime &now) const
{
    Decision decision;
    decision.id = row.id;
    decision.from = row.state;
    decision.to = row.state;
    decision.e164 = row.e164;
    if (!row.e164Known)
        decision.storeE164 = row.e164;

    if (const auto error = normaliseErrors.constFind(row.id); error != normaliseErrors.cend()) {
        move(decision, WorkflowEvent::InvalidPhoneNumber);
        decision.failureReason
                = SourceLanguage::text([&] { return Text::tr("Invalid phone number: %1").arg(*error); });
        decision.lastError = decision.failureReason;
        decision.clearNextAction = true;
        decision.status = QStringLiteral("invalid_phone_number");
        decision.detail = decision.failureReason;
        return decision;
    }

    switch (row.state) {
    case WorkflowState::New:
    case WorkflowState::CheckingClassification: {
        decision.lookedUp = true;
        decision.nextActionAt = now;
        const auto match = classifications.constFind(row.e164);
        if (match != classifications.cend()) {
            move(decision, WorkflowEvent::ClassificationFound);
            decision.classificationId = match->id;
            decision.status = QStringLiteral("classification_found");
            decision.detail = match->type;
        } else {
            move(decision, WorkflowEvent::ClassificationMissing);
            decision.status = QStringLiteral("needs_classification");
        }
        return decision;
    }
    case WorkflowState::ClassificationPending: {
        const QDateTime since = row.ivrClassifiedAt.isValid() ? row.ivrClassifiedAt : row.updatedAt;
        const QDateTime ready = since.isValid() ? since.addSecs(m_config.ivrWaitSeconds) : now;
        if (ready <= now) {
            move(decision, WorkflowEvent::IvrWaitElapsed);
            decision.nextActionAt = now;
            decision.status = QStringLiteral("ready_for_task_call");
        } else {
            move(decision, WorkflowEvent::IvrWaitNotElapsed);
            decision.nextActionAt = ready;
            decision.status = QStringLiteral("still_waiting");
        }
        return decision;
    }
    case WorkflowState::RetryPending: {
        if (!row.retryCountsValid || row.retryCount < 0 || row.maxRetries < 0
            || row.retryCount > m_config.maxSaneRetries || row.maxRetries > m_config.maxSaneRetries) {
            // Not ours to guess: report it on the row and look again in an hour.
            decision.event = WorkflowEvent::RetryScheduled;
            decision.lastError = SourceLanguage::text([&] {
                return Text::tr("Skipped: retry_count %1 / max_retries %2 are not valid; correct the row")
                        .arg(row.retryCount)
                        .arg(row.maxRetries);
            });
            decision.nextActionAt = now.addSecs(3600);
            decision.status = QStringLiteral("skipped");
            decision.detail = decision.lastError;
            return decision;
        }
        if (row.classificationId.isEmpty()) {
            // Cut short while classifying: a task call now would have no classification behind it
            // (and spend the task's retries). Classify again, within the classification attempts.
            if (row.classificationAttempts >= row.maxRetries) {
                move(decision, WorkflowEvent::ClassificationAttemptsExhausted);
                decision.lastError = SourceLanguage::text([] {
                    return Text::tr(
                            "Classification attempts exhausted: the last classification call did not finish");
                });
                decision.failureReason = decision.lastError;
                decision.clearNextAction = true;
                decision.status = QStringLiteral("classification_attempts_exhausted");
            } else {
                move(decision, WorkflowEvent::ClassificationRetryScheduled);
                decision.nextActionAt = now;
                decision.status = QStringLiteral("classification_retry_scheduled");
            }
            return decision;
        }
        if (row.retryCount < row.maxRetries) {
            move(decision, WorkflowEvent::RetryScheduled);
            decision.retryCount = row.retryCount + 1;
            decision.nextActionAt = now;
            decision.status = QStringLiteral("retry_scheduled");
            decision.detail = QString::number(row.retryCount + 1);
        } else {
            move(decision, WorkflowEvent::RetriesExhausted);
            decision.lastError = QStringLiteral("Max retries exceeded");
            decision.failureReason = decision.lastError;
            decision.clearNextAction = true;
            decision.status = QStringLiteral("max_retries_exceeded");
        }
        return decision;
    }
    case WorkflowState::NeedsClassification:
    case WorkflowState::ReadyToCall:
        decideCall(row, busyNumbers, now, decision);
        return decision;
    case WorkflowState::Classifying:
    case WorkflowState::Calling:
    case WorkflowState::Completed:
    case WorkflowState::Failed:
    case WorkflowState::ClassificationFailed:
    case WorkflowState::Unknown:
        break;
    }
    // The claim only takes actionable states; anything else is left as it is and reported.
    decision.status = QStringLiteral("skipped");
    decision.detail = Text::tr("state \"%1\" is not one the scheduler acts on").arg(row.stateName);
    decision.nextActionAt = now.addSecs(3600);
    return decision;
}

void PassPlanner::decideCall(const ClaimedCall &row, const QHash<QString, WorkflowState> &busyNumbers,
                             const QDateTime &now, Decision &decision) const
{
    const bool classification = row.state == WorkflowState::NeedsClassification;
    const auto busy = busyNumbers.constFind(row.e164);
    if (busy != busyNumbers.cend()) {
        decision.nextActionAt = now.addSecs(m_config.busyRetrySeconds);
        if (classification && *busy == WorkflowState::Classifying) {
            // Another call to this number is being classified: share its result.
            move(decision, WorkflowEvent::NumberBusyClassifying);
            decision.status = QStringLiteral("waiting_for_shared_classification");
        } else {
            move(decision, WorkflowEvent::NumberBusy);
            decision.status = QStringLiteral("number_busy");
        }
        return;
    }

    // Its note goes into last_error: in the source language.
    const ResolvedZone zone
            = SourceLanguage::text([&] { return m_zones.resolve(row.clinicTimezone, row.region); });
    decision.timeZoneId = QString::fromUtf8(zone.zone.id());
    decision.zoneAssumed = zone.assumed;
    // A clinic_timezone that is no time zone (a typo) is said on the row, where a dispatcher sees
    // it, not only in the pass's detail: the calling hours are then the assumed zone's.
    if (!zone.note.isEmpty())
        decision.lastError = SourceLanguage::text([&] {
            return Text::tr("%1; calling hours of %2 assumed").arg(zone.note, decision.timeZoneId);
        });
    if (!m_window.isOpen(now, zone.zone)) {
        move(decision, WorkflowEvent::OutsideCallingWindow);
        decision.nextActionAt = m_window.nextOpening(now, zone.zone);
        decision.status = QStringLiteral("outside_calling_window");
        decision.detail = Text::tr("opens %1 (%2%3)")
                                  .arg(decision.nextActionAt.toString(Qt::ISODate), decision.timeZoneId,
                                       zone.assumed ? Text::tr(", zone assumed") : QString());
        return;
    }
    move(decision,
         classification ? WorkflowEvent::ClassificationCallStarted : WorkflowEvent::TaskCallStarted);
    decision.lease = true;
    decision.status = classification ? QStringLiteral("classification_call_queued")
                                     : QStringLiteral("task_call_queued");
    if (zone.assumed)
        decision.detail = Text::tr("time zone assumed: %1").arg(decision.timeZoneId);
}

} // namespace callops
