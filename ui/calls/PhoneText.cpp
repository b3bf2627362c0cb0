#include "PhoneText.h"

#include "console/CallRecord.h"

#include <QCoreApplication>

namespace callops::phoneText {

QString shown(const CallRecord &call)
{
    return call.phoneDisplay.isEmpty() ? call.phone : call.phoneDisplay;
}

QString described(const CallRecord &call)
{
    QString note;
    if (undiallable(call))
        note = QCoreApplication::translate("PhoneText", "not a number CallOps can dial");
    else if (!call.phoneDisplay.isEmpty() && call.phoneDisplay != call.phone)
        note = QCoreApplication::translate("PhoneText", "stored as “%1”").arg(call.phone);
    return note.isEmpty() ? shown(call)
                          : QCoreApplication::translate("PhoneText", "%1 (%2)").arg(shown(call), note);
}

bool undiallable(const CallRecord &call)
{
    return call.phoneDisplay.isEmpty() && !call.phone.trimmed().isEmpty();
}

} // namespace callops::phoneText
