#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QString>
#include <QTimeZone>

namespace callops {

// The time zone a clinic's calling window is read in, and how it was found.
struct ResolvedZone
{
    QTimeZone zone;
    bool assumed = false; // true: neither the row nor the number's country told us; the default was used
    QString source; // "clinic_timezone", "region GB" or "default"
    QString note; // why a given clinic_timezone was not used ("unknown time zone ..."), else empty
};

// Finds the clinic's time zone (DESIGN.md, guarantee 4): the row's clinic_timezone when it is a
// known IANA id; else the zone of the phone number's region when that country has exactly one
// (QTimeZone::availableTimeZoneIds(territory)); else the configured default, flagged as assumed.
// Debian's C++ libphonenumber has no time-zone mapper, hence the country route.
//
// Thread-safe: resolve() may be called from several threads; its caches (per region, per zone id)
// are guarded by a mutex.
class TimeZoneResolver
{
    Q_DISABLE_COPY_MOVE(TimeZoneResolver)

public:
    explicit TimeZoneResolver(QByteArray defaultZoneId = "America/New_York");

    // Success for an IANA id the system's time zone database knows ("America/Chicago", also its
    // backward links such as "US/Central"); an error naming the problem otherwise. Qt accepts any
    // POSIX TZ string ("abc") as a valid zone, so this checks the database, not QTimeZone::isValid().
    static Status validateZone(const QString &ianaId);

    // region: ISO 3166 code from PhoneNumberNormalizer ("US"), may be empty.
    ResolvedZone resolve(const QString &clinicTimezone, const QString &region) const;

    // The zone used when nothing else decides: the configured default, or UTC when that is unknown.
    QTimeZone defaultZone() const;
    // Success, or why the configured default is not usable (UTC is used instead).
    Status defaultZoneStatus() const;

private:
    QTimeZone zoneForId(const QString &ianaId) const; // invalid when unknown; cached
    QTimeZone zoneForRegion(const QString &region) const; // invalid unless one zone; cached

    QTimeZone m_defaultZone;
    Status m_defaultStatus;
    mutable QMutex m_mutex;
    mutable QHash<QString, QTimeZone> m_byId;
    mutable QHash<QString, QTimeZone> m_byRegion;
};

} // namespace callops
