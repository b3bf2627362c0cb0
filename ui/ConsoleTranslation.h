#pragma once

#include <QString>

namespace callops {

// Loads the console's translation (embedded as :/i18n/callops_<lang>.qm) and Qt's own for a
// language code ("es"), or for the system locale when the code is empty.
namespace consoleTranslation {

// True when a CallOps translation was installed (English needs none and returns false).
bool install(const QString &languageCode);

} // namespace consoleTranslation
} // namespace callops
