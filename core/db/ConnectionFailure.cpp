#include "ConnectionFailure.h"

#include <QRegularExpression>

namespace callops {

bool ConnectionFailure::isRefusal(const QString &message)
{
    // Messages of PostgreSQL (auth.c, postinit.c), libpq (fe-auth.c, fe-secure-openssl.c) and
    // Supavisor; "too many clients", "starting up", "shutting down" and timeouts are not here.
    static const QRegularExpression refusal(
            QStringLiteral("password authentication failed"
                           "|authentication failed for user"
                           "|no password supplied"
                           "|no pg_hba\\.conf entry"
                           "|pg_hba\\.conf rejects connection"
                           "|role \"[^\"]*\" does not exist"
                           "|database \"[^\"]*\" does not exist"
                           "|permission denied for database"
                           "|tenant or user not found"
                           "|circuit breaker open"
                           "|certificate verify failed"
                           "|root certificate file"
                           "|server does not support ssl"
                           "|server certificate for \"[^\"]*\".* does not match host name"),
            QRegularExpression::CaseInsensitiveOption);
    return refusal.match(message).hasMatch();
}

} // namespace callops
