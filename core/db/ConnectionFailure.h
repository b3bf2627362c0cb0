#pragma once

#include <QString>

namespace callops {

// Tells a connection the server refused (the login, the role, the database, the TLS settings: a
// configuration someone must fix) from one that did not get through (a host down, a network gone,
// a server starting: worth another try soon). Trying a refused login again is not only futile:
// Supabase's fail2ban and Supavisor's circuit breaker block an address after repeated
// authentication failures, and then every connection from it fails, the good ones too.
//
// It reads libpq's message, which quotes the server's in the server's language: Supabase's are in
// English. A refusal in another language counts as unreachable, as every failure did before.
class ConnectionFailure
{
public:
    static bool isRefusal(const QString &message);
};

} // namespace callops
