#pragma once

#include "common/Result.h"

#include <QString>

namespace callops {

// A phone number in the one form CallOps compares and stores: E.164 plus the region it belongs to.
struct NormalizedPhone
{
    QString e164; // "+12127365000"
    QString region; // ISO 3166 code of the number's region ("US"), "001" for non-geographic numbers
    QString extension; // digits after "ext." and the like, empty when none; not part of e164
};

// Turns phone numbers as people type them ("(212) 736-5000", "+1 212.736.5000", "001 212 736 5000",
// full-width or Arabic-Indic digits) into E.164 with libphonenumber, so a pending call and a
// classification for the same number match however each was written. Numbers without a country
// code are read in the default region. libphonenumber parses some invalid numbers without error
// ("555-12"), so every number is also checked with IsValidNumber; anything that is not a valid,
// diallable number is an error that says why, never a crash.
//
// Thread-safe: the object is immutable after construction and libphonenumber's PhoneNumberUtil is a
// process-wide singleton whose const methods may be called from several threads at once (its
// creation is guarded by pthread_once and its regular-expression cache by a mutex). One normalizer
// may be shared by all threads.
class PhoneNumberNormalizer
{
public:
    explicit PhoneNumberNormalizer(QString defaultRegion = QStringLiteral("US"));

    Result<NormalizedPhone> normalize(const QString &raw) const;
    // The number as a person reads it: national form for the default region ("(212) 736-5000"),
    // international elsewhere ("+44 20 7946 0767"), an extension as libphonenumber writes it
    // (" ext. 12"). Empty when normalize() would refuse the number. Not on the engine's path: it
    // parses again and formats, which the console does for the rows it shows.
    QString displayForm(const QString &raw) const;
    QString defaultRegion() const;

    // True for a two-letter region libphonenumber has metadata for ("US", "GB"; case-insensitive).
    static bool isValidRegion(const QString &region);

    // Longest input accepted (libphonenumber's own limit); longer text is refused before parsing.
    static constexpr int maxInputLength = 250;

private:
    QString m_defaultRegion;
};

} // namespace callops
