#pragma once

#include <QString>

namespace callops {

struct CallRecord;

// How the table and the details show a call's phone number, so both say the same thing: the
// number as a person reads it, and what was stored when that differs or cannot be dialled.
namespace phoneText {

// The readable form, else the number as stored.
QString shown(const CallRecord &call);
// shown() followed by what was stored when that differs, or by why it cannot be dialled.
QString described(const CallRecord &call);
// True when there is a number and it cannot be dialled.
bool undiallable(const CallRecord &call);

} // namespace phoneText
} // namespace callops
