#pragma once

#include "common/Result.h"

#include <QStringList>

class QSqlDatabase;

namespace callops {

// What the scheduler's login may not do of what the engine does (the grants callops_scheduler
// has). Checked at each connection: a login without them (a dispatcher's, by a slip in the
// settings) is told what to grant, instead of failing every pass with "permission denied".
class SchedulerGrants
{
public:
    static Result<SchedulerGrants> check(const QSqlDatabase &db);

    bool complete() const { return m_missing.isEmpty(); }
    // "UPDATE pending_calls", "EXECUTE callops_start_calls", ...
    const QStringList &missing() const { return m_missing; }
    // What stops the scheduler, with what to do about it; empty when complete.
    QString message(const QString &target) const;

private:
    QString m_role;
    QStringList m_missing;
};

} // namespace callops
