#include "PhoneNumberNormalizer.h"

#include "common/MessageText.h"

#include <QCoreApplication>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <set>
#include <string>

namespace callops {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// Text::tr, not a free tr(): lupdate files a free function's strings under the enclosing
// namespace, so they would never match the context they are looked up in.
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(PhoneNumberNormalizer)
};

const PhoneNumberUtil &phoneUtil()
{
    return *PhoneNumberUtil::GetInstance();
}

// Built once (thread-safe static initialisation), read-only afterwards.
const std::set<std::string> &supportedRegions()
{
    static const std::set<std::string> regions = [] {
        std::set<std::string> all;
        phoneUtil().GetSupportedRegions(&all);
        return all;
    }();
    return regions;
}

// Control characters other than whitespace (NUL, escapes) mean the value is not
// a phone number someone typed; refuse them instead of letting them reach the parser.
bool hasControlCharacters(const QString &text)
{
    for (const QChar c : text) {
        if (c.category() == QChar::Other_Control && !c.isSpace())
            return true;
    }
    return false;
}

QString parseError(PhoneNumberUtil::ErrorType error, const QString &region)
{
    switch (error) {
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
        return Text::tr("no valid country code: write the number with + and its country code, or set a valid "
                        "default region (now \"%1\")")
                .arg(MessageText::quoted(region, 12));
    case PhoneNumberUtil::NOT_A_NUMBER:
        return Text::tr("not a phone number");
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
        return Text::tr("too short after the international prefix");
    case PhoneNumberUtil::TOO_SHORT_NSN:
        return Text::tr("too short to be a phone number");
    case PhoneNumberUtil::TOO_LONG_NSN:
        return Text::tr("too long to be a phone number");
    case PhoneNumberUtil::NO_PARSING_ERROR:
        break;
    }
    return Text::tr("not a phone number");
}

} // namespace

PhoneNumberNormalizer::PhoneNumberNormalizer(QString defaultRegion)
    : m_defaultRegion(std::move(defaultRegion).trimmed().toUpper())
{
    // Creates the singleton (and loads its metadata) here rather than on a worker's first number.
    phoneUtil();
}

QString PhoneNumberNormalizer::defaultRegion() const
{
    return m_defaultRegion;
}

bool PhoneNumberNormalizer::isValidRegion(const QString &region)
{
    const QString code = region.trimmed().toUpper();
    if (code.size() != 2 || !code.at(0).isLetter() || !code.at(1).isLetter())
        return false;
    return supportedRegions().count(code.toStdString()) > 0;
}

namespace {

// Parses a valid, diallable number into `number`, or says why it is not one. An out-parameter, not a
// Result<PhoneNumber>: copying the protobuf message needs libprotobuf's type information, which
// libphonenumber does not pass on to whoever links us.
Status parseValid(const QString &raw, const QString &defaultRegion, PhoneNumber &number)
{
    if (raw.size() > PhoneNumberNormalizer::maxInputLength)
        return Error{Text::tr("too long to be a phone number (%1 characters, at most %2)")
                             .arg(raw.size())
                             .arg(PhoneNumberNormalizer::maxInputLength)};
    if (hasControlCharacters(raw))
        return Error{Text::tr("contains control characters, not a phone number")};
    const QString text = raw.trimmed();
    if (text.isEmpty())
        return Error{Text::tr("no phone number given")};

    const PhoneNumberUtil &util = phoneUtil();
    const PhoneNumberUtil::ErrorType error
            = util.Parse(text.toStdString(), defaultRegion.toStdString(), &number);
    if (error != PhoneNumberUtil::NO_PARSING_ERROR)
        return Error{parseError(error, defaultRegion)};

    if (!util.IsValidNumber(number)) {
        // Name the region the number was read in: its country code's main region, else the default.
        std::string region;
        util.GetRegionCodeForCountryCode(number.country_code(), &region);
        QString regionName = QString::fromStdString(region);
        if (regionName.isEmpty() || regionName == u"ZZ")
            regionName = QStringLiteral("+%1").arg(number.country_code());
        return Error{Text::tr("not a valid number for region %1").arg(regionName)};
    }
    return Status::success();
}

} // namespace

Result<NormalizedPhone> PhoneNumberNormalizer::normalize(const QString &raw) const
{
    PhoneNumber number;
    const Status parsed = parseValid(raw, m_defaultRegion, number);
    if (!parsed)
        return Error{parsed.error()};
    const PhoneNumberUtil &util = phoneUtil();

    std::string e164;
    util.Format(number, PhoneNumberUtil::E164, &e164);
    std::string region;
    util.GetRegionCodeForNumber(number, &region);

    NormalizedPhone result;
    result.e164 = QString::fromStdString(e164);
    result.region = QString::fromStdString(region);
    if (number.has_extension())
        result.extension = QString::fromStdString(number.extension());
    return result;
}

QString PhoneNumberNormalizer::displayForm(const QString &raw) const
{
    PhoneNumber number;
    if (!parseValid(raw, m_defaultRegion, number))
        return {};
    const PhoneNumberUtil &util = phoneUtil();
    std::string region;
    util.GetRegionCodeForNumber(number, &region);
    std::string formatted;
    util.Format(number,
                QString::fromStdString(region) == m_defaultRegion ? PhoneNumberUtil::NATIONAL
                                                                  : PhoneNumberUtil::INTERNATIONAL,
                &formatted);
    return QString::fromStdString(formatted);
}

} // namespace callops
