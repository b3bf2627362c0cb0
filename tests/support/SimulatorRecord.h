#pragma once

#include <QDateTime>
#include <QList>
#include <QString>

namespace callops::test {

// One POST as callops-telephony-sim wrote it to its --record file (one JSON object a line).
struct SimulatorPost
{
    QString id;
    QString kind;
    int attempt = 0;
    QString key; // the Idempotency-Key
    int status = 0; // the status answered; 0 when never answered
    QDateTime at;
    QString fault;
};

// Every POST of the record file at `path` (empty when it does not exist yet).
QList<SimulatorPost> readSimulatorRecord(const QString &path);

} // namespace callops::test
