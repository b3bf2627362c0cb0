#include "Settings.h"

#include <QSettings>

#include <array>

namespace callops {
namespace {

struct KeyInfo
{
    Settings::Key key;
    const char *fileKey; // nullptr: never stored in the file
    const char *environment; // nullptr: no environment variable
    QVariant (*defaultValue)();
};

using K = Settings::Key;

// The one table of keys. Defaults follow the guide and DESIGN.md.
const std::array<KeyInfo, 18> kKeys{{
        {K::DatabaseUrl, "database/url", "DATABASE_URL",
         [] {
             return QVariant(QString());
         }},
        {K::SupabaseUrl, "supabase/url", "SUPABASE_URL",
         [] {
             return QVariant(QString());
         }},
        {K::ServiceRoleKey, nullptr, "SUPABASE_SERVICE_ROLE_KEY",
         [] {
             return QVariant(QString());
         }},
        {K::DefaultRegion, "phone/default_region", "CALLOPS_DEFAULT_REGION",
         [] {
             return QVariant(QStringLiteral("US"));
         }},
        {K::DefaultTimeZone, "calling/default_time_zone", "CALLOPS_DEFAULT_TIME_ZONE",
         [] {
             return QVariant(QStringLiteral("America/New_York"));
         }},
        {K::CallingHours, "calling/hours", "CALLOPS_CALLING_HOURS",
         [] {
             return QVariant(QStringLiteral("mon-fri 08:00-17:00"));
         }},
        {K::BatchSize, "scheduler/batch_size", "CALLOPS_BATCH_SIZE",
         [] {
             return QVariant(50);
         }},
        {K::IntervalSeconds, "scheduler/interval_seconds", "CALLOPS_INTERVAL",
         [] {
             return QVariant(30);
         }},
        {K::CallsPerSecond, "telephony/calls_per_second", "CALLOPS_CALLS_PER_SECOND",
         [] {
             return QVariant(1.0);
         }},
        {K::MaxConcurrentRequests, "telephony/max_concurrent_requests", "CALLOPS_MAX_CONCURRENT_REQUESTS",
         [] {
             return QVariant(6);
         }},
        {K::HttpTimeoutSeconds, "telephony/timeout_seconds", "CALLOPS_HTTP_TIMEOUT",
         [] {
             return QVariant(15);
         }},
        {K::InflightTimeoutSeconds, "scheduler/inflight_timeout_seconds", "CALLOPS_INFLIGHT_TIMEOUT",
         [] {
             return QVariant(600);
         }},
        {K::LeaseSeconds, "scheduler/lease_seconds", "CALLOPS_LEASE_SECONDS",
         [] {
             return QVariant(120);
         }},
        {K::IvrWaitSeconds, "scheduler/ivr_wait_seconds", "CALLOPS_IVR_WAIT",
         [] {
             return QVariant(30);
         }},
        {K::TaskRetryDelaySeconds, "retry/task_retry_delay_seconds", "CALLOPS_TASK_RETRY_DELAY",
         [] {
             return QVariant(1800);
         }},
        {K::BackoffBaseSeconds, "retry/backoff_base_seconds", "CALLOPS_BACKOFF_BASE",
         [] {
             return QVariant(30);
         }},
        {K::BackoffCapSeconds, "retry/backoff_cap_seconds", "CALLOPS_BACKOFF_CAP",
         [] {
             return QVariant(3600);
         }},
        {K::Language, "ui/language", "CALLOPS_LANG",
         [] {
             return QVariant(QString());
         }},
}};

const KeyInfo &info(Settings::Key key)
{
    for (const auto &entry : kKeys) {
        if (entry.key == key)
            return entry;
    }
    Q_UNREACHABLE();
}

} // namespace

Settings::Settings()
    : m_file(std::make_unique<QSettings>())
{ }

Settings::Settings(const QString &filePath)
    : m_file(std::make_unique<QSettings>(filePath, QSettings::IniFormat))
{ }

Settings::~Settings() = default;

void Settings::setCommandLineValue(Key key, const QVariant &value)
{
    m_commandLine.insert(key, value);
}

bool Settings::setFileValue(Key key, const QVariant &value)
{
    const KeyInfo &entry = info(key);
    if (!entry.fileKey)
        return false;
    m_file->setValue(QString::fromLatin1(entry.fileKey), value);
    m_file->sync();
    return m_file->status() == QSettings::NoError;
}

Settings::Source Settings::source(Key key) const
{
    if (m_commandLine.contains(key))
        return Source::CommandLine;
    const KeyInfo &entry = info(key);
    if (entry.environment && !qEnvironmentVariableIsEmpty(entry.environment))
        return Source::Environment;
    if (entry.fileKey && m_file->contains(QString::fromLatin1(entry.fileKey)))
        return Source::File;
    return Source::Default;
}

QVariant Settings::value(Key key) const
{
    const KeyInfo &entry = info(key);
    switch (source(key)) {
    case Source::CommandLine:
        return m_commandLine.value(key);
    case Source::Environment:
        return qEnvironmentVariable(entry.environment);
    case Source::File:
        return m_file->value(QString::fromLatin1(entry.fileKey));
    case Source::Default:
        break;
    }
    return entry.defaultValue();
}

QString Settings::fileKey(Key key)
{
    const char *fileKey = info(key).fileKey;
    return fileKey ? QString::fromLatin1(fileKey) : QString();
}

QString Settings::environmentVariable(Key key)
{
    const char *environment = info(key).environment;
    return environment ? QString::fromLatin1(environment) : QString();
}

QVariant Settings::defaultValue(Key key)
{
    return info(key).defaultValue();
}

QString Settings::filePath() const
{
    return m_file->fileName();
}

} // namespace callops
