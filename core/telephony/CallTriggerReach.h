#pragma once

#include "common/Result.h"

#include <QUrl>

namespace callops {

// Whether the call trigger's host can be reached from here — its name resolved, a connection
// accepted and, over https, a certificate this machine trusts — without sending a request: a
// POST would place a call. What it cannot tell is whether the key is accepted.
class CallTriggerReach
{
public:
    static Status check(const QUrl &endpoint, int timeoutMs);
    // "host:port" of the endpoint, its scheme's port when the URL names none.
    static QString where(const QUrl &endpoint);
};

} // namespace callops
