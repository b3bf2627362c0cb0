#include "Translation.h"

#include "SourceLanguage.h"
#include "config/Settings.h"

#include <QCoreApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

namespace callops::translation {

namespace {

// A translator that stands back on a thread in SourceLanguage.
class ScopedTranslator final : public QTranslator
{
public:
    using QTranslator::QTranslator;
    QString translate(const char *context, const char *sourceText, const char *disambiguation,
                      int n) const override
    {
        if (SourceLanguage::isHeldOnThisThread())
            return {};
        return QTranslator::translate(context, sourceText, disambiguation, n);
    }
};

} // namespace

bool install(const QString &languageCode)
{
    const QLocale locale = languageCode.isEmpty() ? QLocale::system() : QLocale(languageCode);
    QLocale::setDefault(locale);
    auto *qt = new ScopedTranslator(QCoreApplication::instance());
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
    else
        delete qt;
    auto *ours = new ScopedTranslator(QCoreApplication::instance());
    if (ours->load(locale, QStringLiteral("callops"), QStringLiteral("_"), QStringLiteral(":/i18n"))) {
        QCoreApplication::installTranslator(ours);
        return true;
    }
    delete ours;
    return false;
}

QStringList available()
{
    QStringList codes;
    const QDir embedded(QStringLiteral(":/i18n"), QStringLiteral("callops_*.qm"));
    for (const QString &file : embedded.entryList(QDir::Files, QDir::Name))
        codes.append(file.mid(int(qstrlen("callops_"))).chopped(int(qstrlen(".qm"))));
    return codes;
}

QString chosen(const QString &commandLine, const Settings &settings)
{
    return commandLine.isEmpty() ? settings.string(Settings::Key::Language) : commandLine;
}

} // namespace callops::translation
