#include "TimeZoneResolver.h"

#include <QCoreApplication>
#include <QFile>
#include <QLocale>
#include <QMutexLocker>

namespace callops {
namespace {

// Text::tr, not a free tr(): lupdate files a free function's strings under the enclosing
// namespace, so they would never match the context they are looked up in.
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(TimeZoneResolver)
};

// Longest IANA id in use is ~32 characters; anything much longer is not one.
constexpr qsizetype kMaxZoneIdLength = 64;
// Clinic zone ids come from rows anyone may write: bound the cache instead of trusting them.
constexpr qsizetype kMaxCachedIds = 1024;

QString zoneInfoDirectory()
{
    const QString fromEnvironment = qEnvironmentVariable("TZDIR");
    return fromEnvironment.isEmpty() ? QStringLiteral("/usr/share/zoneinfo") : fromEnvironment;
}

// A backward link such as "US/Eastern" is not in Qt's list of ids but is a real zone: accept it when
// the zoneinfo database has a TZif file by that name.
bool isZoneInfoFile(const QByteArray &id)
{
    if (id.contains("..") || id.startsWith('/'))
        return false;
    QFile file(zoneInfoDirectory() + u'/' + QString::fromLatin1(id));
    if (!file.open(QIODevice::ReadOnly))
        return false;
    return file.read(4) == "TZif";
}

bool isCountryCode(const QString &code)
{
    const auto isAsciiUpper = [](QChar c) {
        return c >= u'A' && c <= u'Z';
    };
    return code.size() == 2 && isAsciiUpper(code.at(0)) && isAsciiUpper(code.at(1)) && code != u"ZZ";
}

} // namespace

TimeZoneResolver::TimeZoneResolver(QByteArray defaultZoneId)
{
    const QString id = QString::fromUtf8(defaultZoneId);
    m_defaultStatus = validateZone(id);
    m_defaultZone = m_defaultStatus.ok() ? QTimeZone(defaultZoneId.trimmed()) : QTimeZone(QTimeZone::utc());
}

Status TimeZoneResolver::validateZone(const QString &ianaId)
{
    const QString trimmed = ianaId.trimmed();
    if (trimmed.isEmpty())
        return Error{Text::tr("No time zone given: use an IANA id such as America/New_York.")};
    if (trimmed.size() > kMaxZoneIdLength)
        return Error{Text::tr("Not a time zone id (%1 characters): use an IANA id such as America/New_York.")
                             .arg(trimmed.size())};
    for (const QChar c : trimmed) {
        if (c.unicode() > 127 || !c.isPrint())
            return Error{Text::tr("Not a time zone id (unexpected characters): use an IANA id such as "
                                  "America/New_York.")};
    }
    const QByteArray id = trimmed.toLatin1();
    if (QTimeZone::isTimeZoneIdAvailable(id))
        return {};
    // QTimeZone's constructor checks the id's syntax before anything touches the file system.
    if (QTimeZone(id).isValid() && isZoneInfoFile(id))
        return {};
    return Error{
            Text::tr("Unknown time zone \"%1\": use an IANA id such as America/New_York or Europe/London.")
                    .arg(trimmed)};
}

QTimeZone TimeZoneResolver::defaultZone() const
{
    return m_defaultZone;
}

Status TimeZoneResolver::defaultZoneStatus() const
{
    return m_defaultStatus;
}

QTimeZone TimeZoneResolver::zoneForId(const QString &ianaId) const
{
    {
        QMutexLocker locker(&m_mutex);
        const auto found = m_byId.constFind(ianaId);
        if (found != m_byId.cend())
            return *found;
    }
    // Validation reads the file system: do it outside the lock. Two threads may both do it once.
    const QTimeZone zone = validateZone(ianaId).ok() ? QTimeZone(ianaId.toLatin1()) : QTimeZone();
    QMutexLocker locker(&m_mutex);
    if (m_byId.size() >= kMaxCachedIds)
        m_byId.clear();
    m_byId.insert(ianaId, zone);
    return zone;
}

QTimeZone TimeZoneResolver::zoneForRegion(const QString &region) const
{
    {
        QMutexLocker locker(&m_mutex);
        const auto found = m_byRegion.constFind(region);
        if (found != m_byRegion.cend())
            return *found;
    }
    QTimeZone zone;
    const QLocale::Territory territory = QLocale::codeToTerritory(region);
    if (territory != QLocale::AnyTerritory) {
        const QList<QByteArray> ids = QTimeZone::availableTimeZoneIds(territory);
        if (ids.size() == 1)
            zone = QTimeZone(ids.first());
    }
    QMutexLocker locker(&m_mutex);
    m_byRegion.insert(region, zone); // at most one entry per two-letter code
    return zone;
}

ResolvedZone TimeZoneResolver::resolve(const QString &clinicTimezone, const QString &region) const
{
    ResolvedZone result;
    const QString clinicId = clinicTimezone.trimmed();
    if (!clinicId.isEmpty()) {
        const QTimeZone zone = zoneForId(clinicId);
        if (zone.isValid()) {
            result.zone = zone;
            result.source = QStringLiteral("clinic_timezone");
            return result;
        }
        result.note = Text::tr("unknown clinic_timezone \"%1\" ignored").arg(clinicId.left(kMaxZoneIdLength));
    }

    // Only ISO 3166 letter codes name a country; "001" (non-geographic numbers) and "ZZ" (unknown)
    // do not.
    const QString regionCode = region.trimmed().toUpper();
    if (isCountryCode(regionCode)) {
        const QTimeZone zone = zoneForRegion(regionCode);
        if (zone.isValid()) {
            result.zone = zone;
            result.source = QStringLiteral("region ") + regionCode;
            // The clinic named a zone we do not know: its country's zone is a guess, not a fact.
            result.assumed = !result.note.isEmpty();
            return result;
        }
    }

    result.zone = m_defaultZone;
    result.assumed = true;
    result.source = QStringLiteral("default");
    return result;
}

} // namespace callops
