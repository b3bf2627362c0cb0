#pragma once

#include <utility>

namespace callops {

class Settings;

// How long a row waits before its next try. Failed requests (no answer, busy, a transient HTTP error)
// back off exponentially, base * 2^(attempt - 1) capped at `cap`, with +/- `jitter` (a fraction) so
// that rows failing together do not come back together; the result is never above the cap and never
// below one second. A failed task call comes back after the guide's fixed delay (30 minutes).
// Immutable; safe to share between threads.
class RetryPolicy
{
public:
    struct Config
    {
        int baseSeconds = 30;
        int capSeconds = 3600;
        double jitter = 0.2;
        int taskRetryDelaySeconds = 1800;
    };

    // Out-of-range values are brought into range (base >= 1, cap >= base, jitter in [0, 1],
    // task delay >= 0); config() returns what is used.
    RetryPolicy();
    explicit RetryPolicy(Config config);
    // Base, cap and task delay from the settings (Settings::Key::Backoff*, TaskRetryDelaySeconds).
    static RetryPolicy fromSettings(const Settings &settings);

    // Delay before try number `attempt + 1` after `attempt` failures; attempt < 1 counts as 1.
    int backoffSeconds(int attempt) const; // random jitter from QRandomGenerator::global()
    int backoffSeconds(int attempt, double unitRandom) const; // unitRandom in [0, 1): deterministic
    int taskRetryDelaySeconds() const;
    // The smallest and largest values backoffSeconds(attempt, ...) can return.
    std::pair<int, int> bounds(int attempt) const;
    const Config &config() const;

private:
    double unjittered(int attempt) const;
    int clampToRange(double seconds) const;

    Config m_config;
};

} // namespace callops
