#include "OperatorIdentity.h"

#include <QtGlobal>

namespace callops::operatorIdentity {

QString name()
{
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty())
        user = qEnvironmentVariable("LOGNAME");
    if (user.isEmpty())
        user = qEnvironmentVariable("USERNAME");
    return user.isEmpty() ? QStringLiteral("unknown-operator") : user;
}

} // namespace callops::operatorIdentity
