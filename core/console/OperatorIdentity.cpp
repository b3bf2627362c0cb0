#include "OperatorIdentity.h"

#include <QtGlobal>

#include <pwd.h>
#include <unistd.h>

namespace callops::operatorIdentity {

QString name()
{
    // The account the console runs as, from the system's user database: USER and LOGNAME are
    // whatever the environment says (unset under some launchers, and anyone can set them).
    if (const passwd *account = getpwuid(geteuid()); account && account->pw_name && *account->pw_name)
        return QString::fromLocal8Bit(account->pw_name);
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty())
        user = qEnvironmentVariable("LOGNAME");
    if (user.isEmpty())
        user = qEnvironmentVariable("USERNAME");
    return user.isEmpty() ? QStringLiteral("unknown-operator") : user;
}

} // namespace callops::operatorIdentity
