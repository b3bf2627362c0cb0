#pragma once

#include <QList>
#include <QMetaType>
#include <QString>

namespace callops {

// A failure reason and how many calls carry it: the console's failure filter lists the most
// common first, so that the reasons that matter are at the top of a list that real data makes long.
struct ReasonCount
{
    QString reason;
    qint64 calls = 0;

    bool operator==(const ReasonCount &other) const = default;
};

} // namespace callops

Q_DECLARE_METATYPE(callops::ReasonCount)
