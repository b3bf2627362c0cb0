#pragma once

#include <QDate>
#include <QDateTime>
#include <QMetaType>
#include <QString>

namespace callops {

// One pending call as the console shows it: a plain value, safe to send between threads.
// `state` is the raw text of workflow_state so that a state written by someone else is shown as it is.
struct CallRecord
{
    QString id;
    QString examId;
    QString employeeName;
    QDate employeeDob;
    QString phone; // as stored
    QString phoneDisplay; // as a person reads it (PhoneNumberNormalizer::displayForm); empty if not diallable
    QString clinicName;
    QString clinicTimezone;
    QDateTime appointmentTime;
    QString state;
    int retryCount = 0;
    int maxRetries = 0;
    int attempt = 0;
    int classificationAttempts = 0;
    QDateTime nextActionAt;
    QString lastError;
    QString failureReason;
    QDateTime failedAt;
    QString classificationId;
    QDateTime lastAttemptAt;
    QDateTime createdAt;
    QDateTime updatedAt;
    QDateTime stateChangedAt;
    QDateTime completedAt;
    QString lockedBy;
};

// One row of workflow_events.
struct WorkflowEventRecord
{
    qint64 id = 0;
    QString callId;
    QString fromState;
    QString toState;
    QString actor;
    QString reason;
    QString event;
    QDateTime at;
};

} // namespace callops

Q_DECLARE_METATYPE(callops::CallRecord)
Q_DECLARE_METATYPE(callops::WorkflowEventRecord)
