#include "PhoneText.h"

#include "console/CallRecord.h"

#include <QCoreApplication>

namespace callops::phoneText {

QString shown(const CallRecord &call)
{
    return call.phoneDisplay.isEmpty() ? call.phone : call.phoneDisplay;
}

QString note(const CallRecord &call)
{
    if (undiallable(call))
        return QCoreApplication::translate("PhoneText", "not a number CallOps can dial");
    if (call.phoneDisplay.isEmpty() || call.phoneDisplay == call.phone)
        return {};
    return QCoreApplication::translate("PhoneText", "stored as “%1”").arg(call.phone);
}

bool undiallable(const CallRecord &call)
{
    return call.phoneDisplay.isEmpty() && !call.phone.trimmed().isEmpty();
}

} // namespace callops::phoneText
