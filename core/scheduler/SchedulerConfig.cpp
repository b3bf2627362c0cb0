#include "SchedulerConfig.h"

#include "config/Settings.h"
#include "phone/PhoneNumberNormalizer.h"
#include "phone/TimeZoneResolver.h"
#include "scheduler/CallingWindow.h"
#include "telephony/CallTrigger.h"

#include <QCoreApplication>

namespace callops {
namespace {

// Text::tr, not a free tr(): lupdate files a free function's strings under the enclosing
// namespace, so they would never match the context they are looked up in.
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(SchedulerConfig)
};

} // namespace

Result<SchedulerConfig> SchedulerConfig::fromSettings(const Settings &settings)
{
    using K = Settings::Key;
    SchedulerConfig config;
    const auto database = ConnectionSettings::parse(settings.string(K::DatabaseUrl));
    if (!database)
        return Error{database.error()};
    config.database = *database;
    const QString url = settings.string(K::SupabaseUrl).trimmed();
    config.supabaseUrl = QUrl(url, QUrl::StrictMode);
    config.serviceKey = settings.string(K::ServiceRoleKey).trimmed();
    config.batchSize = settings.integer(K::BatchSize);
    config.intervalSeconds = settings.integer(K::IntervalSeconds);
    config.callsPerSecond = settings.number(K::CallsPerSecond);
    config.maxConcurrentRequests = settings.integer(K::MaxConcurrentRequests);
    config.httpTimeoutMs = settings.integer(K::HttpTimeoutSeconds) * 1000;
    config.inflightTimeoutSeconds = settings.integer(K::InflightTimeoutSeconds);
    config.leaseSeconds = settings.integer(K::LeaseSeconds);
    config.ivrWaitSeconds = settings.integer(K::IvrWaitSeconds);
    config.retry.baseSeconds = settings.integer(K::BackoffBaseSeconds);
    config.retry.capSeconds = settings.integer(K::BackoffCapSeconds);
    config.retry.taskRetryDelaySeconds = settings.integer(K::TaskRetryDelaySeconds);
    config.callingHours = settings.string(K::CallingHours);
    config.defaultRegion = settings.string(K::DefaultRegion).trimmed().toUpper();
    config.defaultTimeZone = settings.string(K::DefaultTimeZone).trimmed();
    if (Status status = config.validate(); !status)
        return Error{status.error()};
    return config;
}

Status SchedulerConfig::validate() const
{
    if (Status status = CallTrigger::validate({supabaseUrl, serviceKey, httpTimeoutMs}); !status)
        return status;
    if (batchSize < 1 || batchSize > 10000)
        return Error{Text::tr("The batch size must be from 1 to 10000, not %1").arg(batchSize)};
    if (intervalSeconds < 1)
        return Error{Text::tr("The interval must be at least 1 second, not %1").arg(intervalSeconds)};
    if (!(callsPerSecond >= 0))
        return Error{Text::tr("Calls per second must be 0 (no limit) or more")};
    if (maxConcurrentRequests < 1 || maxConcurrentRequests > CallTrigger::MaxParallel)
        return Error{Text::tr("Requests at a time must be from 1 to %1, not %2")
                             .arg(CallTrigger::MaxParallel)
                             .arg(maxConcurrentRequests)};
    if (httpTimeoutMs < 100)
        return Error{Text::tr("The HTTP timeout must be at least 0.1 s")};
    if (inflightTimeoutSeconds < 1)
        return Error{Text::tr("The in-flight timeout must be at least 1 second, not %1")
                             .arg(inflightTimeoutSeconds)};
    if (leaseSeconds < 5)
        return Error{Text::tr("Claims must last at least 5 seconds, not %1").arg(leaseSeconds)};
    if (ivrWaitSeconds < 0)
        return Error{Text::tr("The IVR wait cannot be negative")};
    if (retry.baseSeconds < 1 || retry.capSeconds < retry.baseSeconds || retry.taskRetryDelaySeconds < 0)
        return Error{Text::tr("Retry timings are not valid: base %1 s, cap %2 s, task retry delay %3 s")
                             .arg(retry.baseSeconds)
                             .arg(retry.capSeconds)
                             .arg(retry.taskRetryDelaySeconds)};
    if (const auto window = CallingWindow::parse(callingHours); !window)
        return Error{Text::tr("Calling hours \"%1\": %2").arg(callingHours.left(80), window.error())};
    if (!PhoneNumberNormalizer::isValidRegion(defaultRegion))
        return Error{Text::tr("Unknown default region \"%1\": use a two-letter country code such as US")
                             .arg(defaultRegion.left(8))};
    if (Status status = TimeZoneResolver::validateZone(defaultTimeZone); !status)
        return status;
    return Status::success();
}

} // namespace callops
