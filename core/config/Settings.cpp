#include "Settings.h"

#include "common/MessageText.h"

#include <QCoreApplication>
#include <QSettings>

#include <algorithm>
#include <array>
#include <limits>

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

Status Settings::validate() const
{
    auto where = [this](const KeyInfo &entry) {
        switch (source(entry.key)) {
        case Source::CommandLine:
            return QCoreApplication::translate("Settings", "on the command line");
        case Source::Environment:
            return QCoreApplication::translate("Settings", "in the environment variable %1")
                    .arg(QString::fromLatin1(entry.environment));
        case Source::File:
            return QCoreApplication::translate("Settings", "under %1 in %2")
                    .arg(QString::fromLatin1(entry.fileKey), filePath());
        case Source::Default:
            break;
        }
        return QCoreApplication::translate("Settings", "as the default");
    };
    // Secrets and URLs that may hold one are never quoted back.
    auto shown = [](const KeyInfo &entry, const QString &text) {
        if (entry.key == Key::DatabaseUrl || entry.key == Key::ServiceRoleKey
            || entry.key == Key::SupabaseUrl)
            return QStringLiteral("...");
        return MessageText::quoted(text, 40);
    };
    for (const KeyInfo &entry : kKeys) {
        const QVariant fallback = entry.defaultValue();
        const QVariant current = value(entry.key);
        const QString text = current.toString();
        const QString name = QString::fromLatin1(entry.fileKey ? entry.fileKey : entry.environment);
        if (fallback.typeId() == QMetaType::Int) {
            bool ok = false;
            const qlonglong n = text.trimmed().toLongLong(&ok);
            // Waits and delays may be 0 (tests and demos shorten them); counts and timeouts may not.
            const bool zeroAllowed = entry.key == Key::IvrWaitSeconds
                    || entry.key == Key::TaskRetryDelaySeconds || entry.key == Key::BackoffBaseSeconds;
            if (!ok || n < (zeroAllowed ? 0 : 1) || n > std::numeric_limits<int>::max())
                return Error{
                        QCoreApplication::translate("Settings",
                                                    "Setting %1 %2 must be a whole number of %3 or more, "
                                                    "not \"%4\".")
                                .arg(name, where(entry), QString::number(zeroAllowed ? 0 : 1),
                                     shown(entry, text))};
        } else if (fallback.typeId() == QMetaType::Double) {
            bool ok = false;
            const double n = text.trimmed().toDouble(&ok);
            if (!ok || !(n >= 0) || n > 1e9)
                return Error{QCoreApplication::translate("Settings",
                                                         "Setting %1 %2 must be a number of 0 or more, not "
                                                         "\"%3\".")
                                     .arg(name, where(entry), shown(entry, text))};
        } else {
            const bool control = std::any_of(text.cbegin(), text.cend(), [](QChar c) {
                return c.unicode() < 0x20 || c.unicode() == 0x7f;
            });
            if (control || !text.isValidUtf16()) {
                return Error{QCoreApplication::translate("Settings",
                                                         "Setting %1 %2 contains a control character or "
                                                         "broken Unicode.")
                                     .arg(name, where(entry))};
            }
        }
    }
    return Status::success();
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
