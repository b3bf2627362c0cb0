#include "Settings.h"

#include "common/EditDistance.h"
#include "common/MessageText.h"
#include "telephony/CallTrigger.h"

#include <QCoreApplication>
#include <QProcessEnvironment>
#include <QSettings>

#include <algorithm>
#include <array>

namespace callops {
namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(Settings)
};

struct KeyInfo
{
    Settings::Key key;
    const char *fileKey; // nullptr: never stored in the file
    const char *environment; // nullptr: no environment variable
    QVariant (*defaultValue)();
    // Whole-number keys only. Seconds end up as int milliseconds in timers and timeouts, so the
    // upper bounds are sane values well below the overflow, not just INT_MAX.
    Settings::Range range = {};
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
        {K::BatchSize,
         "scheduler/batch_size",
         "CALLOPS_BATCH_SIZE",
         [] { return QVariant(50); },
         {1, 10000, false}},
        {K::IntervalSeconds,
         "scheduler/interval_seconds",
         "CALLOPS_INTERVAL",
         [] { return QVariant(30); },
         {1, 86400, true}},
        {K::CallsPerSecond, "telephony/calls_per_second", "CALLOPS_CALLS_PER_SECOND",
         [] {
             return QVariant(1.0);
         }},
        {K::MaxConcurrentRequests,
         "telephony/max_concurrent_requests",
         "CALLOPS_MAX_CONCURRENT_REQUESTS",
         [] { return QVariant(6); },
         {1, CallTrigger::MaxParallel, false}},
        {K::HttpTimeoutSeconds,
         "telephony/timeout_seconds",
         "CALLOPS_HTTP_TIMEOUT",
         [] { return QVariant(15); },
         {1, 600, true}},
        {K::InflightTimeoutSeconds,
         "scheduler/inflight_timeout_seconds",
         "CALLOPS_INFLIGHT_TIMEOUT",
         [] { return QVariant(600); },
         {1, 86400, true}},
        {K::LeaseSeconds,
         "scheduler/lease_seconds",
         "CALLOPS_LEASE_SECONDS",
         [] { return QVariant(120); },
         {5, 86400, true}},
        {K::IvrWaitSeconds,
         "scheduler/ivr_wait_seconds",
         "CALLOPS_IVR_WAIT",
         [] { return QVariant(30); },
         {0, 86400, true}},
        {K::TaskRetryDelaySeconds,
         "retry/task_retry_delay_seconds",
         "CALLOPS_TASK_RETRY_DELAY",
         [] { return QVariant(1800); },
         {0, 7 * 86400, true}},
        {K::BackoffBaseSeconds,
         "retry/backoff_base_seconds",
         "CALLOPS_BACKOFF_BASE",
         [] { return QVariant(30); },
         {1, 86400, true}},
        {K::BackoffCapSeconds,
         "retry/backoff_cap_seconds",
         "CALLOPS_BACKOFF_CAP",
         [] { return QVariant(3600); },
         {1, 7 * 86400, true}},
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
    // QSettings reads what it can of a broken file and carries on; say so instead.
    if (m_file->status() == QSettings::FormatError)
        return Error{Text::tr("The settings file %1 is malformed: fix or remove it.").arg(filePath())};
    if (m_file->status() == QSettings::AccessError)
        return Error{Text::tr("Cannot read the settings file %1: check its permissions.").arg(filePath())};

    // The setting and where its value came from, named once.
    auto subject = [this](const KeyInfo &entry) {
        const QString name = QString::fromLatin1(entry.fileKey ? entry.fileKey : entry.environment);
        switch (source(entry.key)) {
        case Source::CommandLine:
            return Text::tr("Setting %1 on the command line").arg(name);
        case Source::Environment:
            return Text::tr("The environment variable %1").arg(QString::fromLatin1(entry.environment));
        case Source::File:
            return Text::tr("Setting %1 in %2").arg(name, filePath());
        case Source::Default:
            break;
        }
        return Text::tr("The default of setting %1").arg(name);
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
        const QString text = value(entry.key).toString();
        if (fallback.typeId() == QMetaType::Int) {
            bool ok = false;
            const qlonglong n = text.trimmed().toLongLong(&ok);
            if (!ok || n < entry.range.minimum || n > entry.range.maximum)
                return Error{Text::tr("%1 must be %2, not \"%3\".")
                                     .arg(subject(entry), requirement(entry.key), shown(entry, text))};
        } else if (fallback.typeId() == QMetaType::Double) {
            bool ok = false;
            const double n = text.trimmed().toDouble(&ok);
            if (!ok || !(n >= 0) || n > 1e9)
                return Error{Text::tr("%1 must be a number of 0 or more, not \"%2\".")
                                     .arg(subject(entry), shown(entry, text))};
        } else {
            const bool control = std::any_of(text.cbegin(), text.cend(), [](QChar c) {
                return c.unicode() < 0x20 || c.unicode() == 0x7f;
            });
            if (control || !text.isValidUtf16())
                return Error{
                        Text::tr("%1 contains a control character or broken Unicode.").arg(subject(entry))};
        }
    }
    return Status::success();
}

Settings::Range Settings::range(Key key)
{
    return info(key).range;
}

QString Settings::requirement(Key key)
{
    const Range r = range(key);
    return r.seconds ? Text::tr("a whole number of seconds from %1 to %2").arg(r.minimum).arg(r.maximum)
                     : Text::tr("a whole number from %1 to %2").arg(r.minimum).arg(r.maximum);
}

QString Settings::fileKey(Key key)
{
    const char *fileKey = info(key).fileKey;
    return fileKey ? QString::fromLatin1(fileKey) : QString();
}

QStringList Settings::unrecognisedEnvironment()
{
    static const QStringList others{QStringLiteral("CALLOPS_PG_BINDIR")};
    static const QStringList otherPrefixes{QStringLiteral("CALLOPS_TEST_"), QStringLiteral("CALLOPS_FUZZ_"),
                                           QStringLiteral("CALLOPS_SOAK_"), QStringLiteral("CALLOPS_BUILD_")};
    QStringList known;
    for (const KeyInfo &entry : kKeys) {
        if (entry.environment)
            known.append(QString::fromLatin1(entry.environment));
    }
    QStringList warnings;
    const QStringList names = QProcessEnvironment::systemEnvironment().keys();
    for (const QString &name : names) {
        if (!name.startsWith(QStringLiteral("CALLOPS_")) || known.contains(name) || others.contains(name)
            || std::any_of(otherPrefixes.cbegin(), otherPrefixes.cend(),
                           [&name](const QString &prefix) { return name.startsWith(prefix); }))
            continue;
        QString closest;
        int best = 5; // more edits than this is another name, not a misspelling
        // Compared without the prefix and the underscores; a name inside another (TIMEZONE in
        // DEFAULT_TIME_ZONE) is as close as one edit.
        const auto bare = [](const QString &variable) {
            return variable.mid(8).remove(u'_');
        };
        const QString given = bare(name);
        for (const QString &candidate : std::as_const(known)) {
            const QString meant = bare(candidate);
            const bool inside = given.size() >= 4 && (meant.contains(given) || given.contains(meant));
            const int distance = inside ? 1 : EditDistance::between(given, meant);
            if (distance < best) {
                best = distance;
                closest = candidate;
            }
        }
        const QString shown = MessageText::quoted(name, 60);
        warnings.append(
                closest.isEmpty()
                        ? Text::tr("The environment variable %1 is no CallOps setting and is ignored.")
                                  .arg(shown)
                        : Text::tr("The environment variable %1 is no CallOps setting and is ignored; did "
                                   "you mean %2?")
                                  .arg(shown, closest));
    }
    return warnings;
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
