#include "ClockText.h"

#include <QDateTime>

namespace callops::clockText {

QString of(const QDateTime &when)
{
    return when.toLocalTime().time().toString(QStringLiteral("HH:mm:ss"));
}

} // namespace callops::clockText
