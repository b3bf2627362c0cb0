#pragma once

#include <QString>
#include <QStringList>

namespace callops {

class Settings;

// The language CallOps speaks to a person in: the console, the reports, the command line's help and
// errors. Loads CallOps' translation (embedded in core as :/i18n/callops_<lang>.qm, so the headless
// build has it too) and Qt's own for a language code ("es"), or for the system locale when the code
// is empty. Log lines are not translated: they are for operators grepping journals.
namespace translation {

// True when a CallOps translation was installed (the English one only carries the plural forms).
bool install(const QString &languageCode);

// The languages CallOps has a translation for ("en", "es"), sorted.
QStringList available();

// The language asked for: `commandLine` (--lang) when given, else the Language setting
// (ui/language, CALLOPS_LANG); empty for the system locale.
QString chosen(const QString &commandLine, const Settings &settings);

} // namespace translation
} // namespace callops
