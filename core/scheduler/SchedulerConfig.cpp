#include "SchedulerConfig.h"

#include "config/Settings.h"
#include "phone/PhoneNumberNormalizer.h"
#include "phone/TimeZoneResolver.h"
#include "scheduler/CallingWindow.h"
#include "telephony/CallTrigger.h"

#include <QCoreApplication>

#include <algorithm>
#include <limits>

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
    // In 64 bits and clamped: a huge number of seconds must reach validate(), not wrap around.
    const qint64 httpTimeoutMs = qint64(settings.integer(K::HttpTimeoutSeconds)) * 1000;
    config.httpTimeoutMs = int(std::clamp<qint64>(httpTimeoutMs, 0, std::numeric_limits<int>::max()));
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
    // The settings' ranges, checked again here for configurations built elsewhere (the demo, the
    // console's panel); their upper bounds keep seconds * 1000 inside an int for the timers.
    using K = Settings::Key;
    const auto outside = [](K key, qint64 value) {
        const Settings::Range range = Settings::range(key);
        return value < range.minimum || value > range.maximum;
    };
    const Settings::Range batch = Settings::range(K::BatchSize);
    if (outside(K::BatchSize, batchSize))
        return Error{Text::tr("The batch size must be from %1 to %2, not %3")
                             .arg(batch.minimum)
                             .arg(batch.maximum)
                             .arg(batchSize)};
    const Settings::Range interval = Settings::range(K::IntervalSeconds);
    if (outside(K::IntervalSeconds, intervalSeconds))
        return Error{Text::tr("The interval must be from %1 to %2 seconds, not %3")
                             .arg(interval.minimum)
                             .arg(interval.maximum)
                             .arg(intervalSeconds)};
    if (!(callsPerSecond >= 0))
        return Error{Text::tr("Calls per second must be 0 (no limit) or more")};
    if (maxConcurrentRequests < 1 || maxConcurrentRequests > CallTrigger::MaxParallel)
        return Error{Text::tr("Requests at a time must be from 1 to %1, not %2")
                             .arg(CallTrigger::MaxParallel)
                             .arg(maxConcurrentRequests)};
    // Below a second only from code (tests, the demo): the settings count whole seconds.
    const int httpMaximumSeconds = Settings::range(K::HttpTimeoutSeconds).maximum;
    if (httpTimeoutMs < 100 || httpTimeoutMs > qint64(httpMaximumSeconds) * 1000)
        return Error{Text::tr("The HTTP timeout must be from 0.1 to %1 seconds").arg(httpMaximumSeconds)};
    const Settings::Range inflight = Settings::range(K::InflightTimeoutSeconds);
    if (outside(K::InflightTimeoutSeconds, inflightTimeoutSeconds))
        return Error{Text::tr("The in-flight timeout must be from %1 to %2 seconds, not %3")
                             .arg(inflight.minimum)
                             .arg(inflight.maximum)
                             .arg(inflightTimeoutSeconds)};
    // A call whose POST is still open must not be taken back and dialled again.
    if (qint64(inflightTimeoutSeconds) * 1000 <= httpTimeoutMs)
        return Error{
                Text::tr("The in-flight timeout (%1 s) must be longer than the HTTP timeout (%2 s): raise "
                         "CALLOPS_INFLIGHT_TIMEOUT or lower CALLOPS_HTTP_TIMEOUT.")
                        .arg(inflightTimeoutSeconds)
                        .arg(httpTimeoutMs / 1000.0)};
    const Settings::Range lease = Settings::range(K::LeaseSeconds);
    if (outside(K::LeaseSeconds, leaseSeconds))
        return Error{Text::tr("Claims must last from %1 to %2 seconds, not %3")
                             .arg(lease.minimum)
                             .arg(lease.maximum)
                             .arg(leaseSeconds)};
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
