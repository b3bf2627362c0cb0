#pragma once

#include <QString>

namespace callops {

// Who is sitting at the console: the operating-system user, recorded as the actor of manual actions.
namespace operatorIdentity {

QString name();

} // namespace operatorIdentity
} // namespace callops
