#pragma once

#include "common/Result.h"
#include "db/ConnectionSettings.h"
#include "scheduler/RetryPolicy.h"
#include "scheduler/SchedulerPresence.h"

#include <QDateTime>
#include <QString>
#include <QUrl>

#include <functional>

namespace callops {

class Settings;

// Everything one scheduler engine runs with. Defaults are the guide's and DESIGN.md's.
struct SchedulerConfig
{
    ConnectionSettings database;
    QUrl supabaseUrl;
    QString serviceKey;
    QString schedulerId; // names this scheduler in leases and the history; made up when empty
    // The dispatcher who started it in a console, for the other consoles to see; empty: a service.
    QString startedBy;
    int batchSize = 50;
    int intervalSeconds = 30;
    double callsPerSecond = 1.0; // shared by all schedulers on the database; 0 = no limit
    int maxConcurrentRequests = 6; // POSTs at once; at most CallTrigger::MaxParallel
    int httpTimeoutMs = 15000;
    int inflightTimeoutSeconds = 600;
    int leaseSeconds = 120;
    int ivrWaitSeconds = 30;
    int busyRetrySeconds = 30;
    int attentionCheckSeconds = 60; // how often rows in unknown states are looked for
    // How long calls stop when the call trigger refuses our requests (401/403/404); doubled on
    // each refusal in a row, up to ten times this.
    int refusedPauseSeconds = 60;
    // How often the engine looks for the guide's scheduler (a pg_cron job) still active on the
    // database; it places no calls while one is (GuideSchedulerCheck).
    int guideSchedulerCheckSeconds = 60;
    // How often the engine writes its row in callops_scheduler_presence (SchedulerPresence); tests
    // shorten it.
    int presenceSeconds = SchedulerPresence::kReportSeconds;
    RetryPolicy::Config retry;
    QString callingHours = QStringLiteral("mon-fri 08:00-17:00");
    QString defaultRegion = QStringLiteral("US");
    QString defaultTimeZone = QStringLiteral("America/New_York");
    // false: one pass when started, nothing after it (`--once`): no timer, no LISTEN wake-ups.
    bool continuous = true;
    // This machine's clock (UTC); empty: the system's. The engine goes by the database's clock,
    // which every scheduler on the database shares, and only measures how far this one is off it.
    // Tests give one minutes off, as a server without time synchronisation has.
    std::function<QDateTime()> clock;

    // Reads the settings (command line > environment > file > defaults) and validates them.
    static Result<SchedulerConfig> fromSettings(const Settings &settings);
    // Checks every value and says which one is wrong; never shows the key.
    Status validate() const;
};

} // namespace callops
