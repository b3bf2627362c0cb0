#pragma once

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>

namespace callops {

// The result of one row in a pass, as the guide's scheduler reported it.
struct RowResult
{
    QString id;
    QString status;
    QString detail;
};

// One pass of the scheduler: what it claimed and what became of each row. Plain values, so it
// crosses threads in queued signals.
struct PassSummary
{
    QDateTime startedAt;
    QDateTime finishedAt;
    int processed = 0;
    int callsStarted = 0;
    int rescued = 0;
    QList<RowResult> results;
    QString error;

    // The guide's response body: {"processed": N, "results": [{"id": ..., "status": ...}, ...]}.
    QByteArray toJson() const;
};

} // namespace callops

Q_DECLARE_METATYPE(callops::PassSummary)
