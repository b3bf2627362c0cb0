#include "RetryPolicy.h"

#include "config/Settings.h"

#include <QRandomGenerator>

#include <algorithm>
#include <cmath>

namespace callops {
namespace {

RetryPolicy::Config sanitized(RetryPolicy::Config config)
{
    config.baseSeconds = std::max(1, config.baseSeconds);
    config.capSeconds = std::max(config.baseSeconds, config.capSeconds);
    config.jitter = std::isfinite(config.jitter) ? std::clamp(config.jitter, 0.0, 1.0) : 0.0;
    config.taskRetryDelaySeconds = std::max(0, config.taskRetryDelaySeconds);
    return config;
}

} // namespace

RetryPolicy::RetryPolicy()
    : RetryPolicy(Config{})
{ }

RetryPolicy::RetryPolicy(Config config)
    : m_config(sanitized(config))
{ }

RetryPolicy RetryPolicy::fromSettings(const Settings &settings)
{
    Config config;
    config.baseSeconds = settings.integer(Settings::Key::BackoffBaseSeconds);
    config.capSeconds = settings.integer(Settings::Key::BackoffCapSeconds);
    config.taskRetryDelaySeconds = settings.integer(Settings::Key::TaskRetryDelaySeconds);
    return RetryPolicy(config);
}

const RetryPolicy::Config &RetryPolicy::config() const
{
    return m_config;
}

int RetryPolicy::taskRetryDelaySeconds() const
{
    return m_config.taskRetryDelaySeconds;
}

double RetryPolicy::unjittered(int attempt) const
{
    // 2^31 times any base is past any int cap: stop doubling there so nothing overflows.
    const int doublings = std::clamp(attempt, 1, 32) - 1;
    const qint64 exponential = qint64(m_config.baseSeconds) << doublings;
    return double(std::min<qint64>(exponential, m_config.capSeconds));
}

int RetryPolicy::clampToRange(double seconds) const
{
    return int(std::clamp<double>(std::llround(seconds), 1.0, double(m_config.capSeconds)));
}

int RetryPolicy::backoffSeconds(int attempt) const
{
    return backoffSeconds(attempt, QRandomGenerator::global()->generateDouble());
}

int RetryPolicy::backoffSeconds(int attempt, double unitRandom) const
{
    // Out-of-range randomness must not escape the bounds either.
    const double unit = std::isfinite(unitRandom) ? std::clamp(unitRandom, 0.0, 1.0) : 0.5;
    const double factor = 1.0 + m_config.jitter * (2.0 * unit - 1.0);
    return clampToRange(unjittered(attempt) * factor);
}

std::pair<int, int> RetryPolicy::bounds(int attempt) const
{
    const double seconds = unjittered(attempt);
    return {clampToRange(seconds * (1.0 - m_config.jitter)), clampToRange(seconds * (1.0 + m_config.jitter))};
}

} // namespace callops
