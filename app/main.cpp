#include "CheckCommand.h"
#include "CommandLine.h"
#include "DemoCommand.h"
#include "ExitCode.h"
#include "ExportCommand.h"
#include "HeadlessCommand.h"
#include "MigrateCommand.h"
#include "config/Settings.h"
#include "i18n/Translation.h"

#include <QCoreApplication>
#include <QGuiApplication>
#include <QLoggingCategory>
#include <QTextStream>

#ifdef CALLOPS_WITH_UI
#include "ConsoleCommand.h"

#include <QApplication>
#include <QMessageBox>
#endif

#include <memory>

#include <sys/stat.h>
#include <unistd.h>

using namespace callops;

namespace {

// Under systemd, stderr is a stream into the journal, named by JOURNAL_STREAM ("device:inode").
bool stderrIsTheJournal()
{
    const QByteArray stream = qgetenv("JOURNAL_STREAM");
    const qsizetype colon = stream.indexOf(':');
    struct stat status
    {
    };
    if (colon <= 0 || fstat(STDERR_FILENO, &status) != 0)
        return false;
    bool deviceOk = false;
    bool inodeOk = false;
    const qulonglong device = stream.left(colon).toULongLong(&deviceOk);
    const qulonglong inode = stream.mid(colon + 1).toULongLong(&inodeOk);
    return deviceOk && inodeOk && device == status.st_dev && inode == status.st_ino;
}

// Every command speaks the user's language but the scheduler running without a window: its output
// is the journal, which operators grep in one language. (What any engine writes into the database
// and its own journal lines are in the source language anyway: SourceLanguage.)
bool speaksToAPerson(const Result<CommandLineRequest> &request)
{
    if (!request || request->showHelp || request->showVersion)
        return true;
    return request->mode != CommandLineRequest::Mode::Headless
            && !(request->mode == CommandLineRequest::Mode::Demo && request->noGui);
}

#ifdef CALLOPS_WITH_UI
bool needsWindow(const CommandLineRequest &request)
{
    return request.mode == CommandLineRequest::Mode::Console
            || (request.mode == CommandLineRequest::Mode::Demo && !request.noGui);
}

// Without a display Qt aborts when it makes a QApplication; say what to do instead.
bool displayAvailable()
{
    return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")
            || !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}
#endif

} // namespace

int main(int argc, char **argv)
{
    // Into the journal, a "<N>" prefix gives each line its priority (journalctl -p warning found
    // nothing: every line was info) and the journal keeps the time itself.
    qSetMessagePattern(
            stderrIsTheJournal() ? QStringLiteral(
                    "%{if-debug}<7>debug%{endif}%{if-info}<6>info%{endif}%{if-warning}<4>warning%{endif}"
                    "%{if-critical}<3>error%{endif}%{if-fatal}<2>fatal%{endif} %{category}: %{message}")
                                 : QStringLiteral("%{time yyyy-MM-ddTHH:mm:ss.zzz} "
                                                  "%{if-debug}debug%{endif}%{if-info}info%{endif}"
                                                  "%{if-warning}warning%{endif}%{if-critical}error%{endif}%{"
                                                  "if-fatal}fatal%{endif}"
                                                  " %{category}: %{message}"));
    // Debug lines are for developers who ask for them (QT_LOGGING_RULES="callops.*.debug=true").
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(QStringLiteral("callops.*.debug=false"));
    QCoreApplication::setOrganizationName(QStringLiteral("CallOps"));
    QCoreApplication::setApplicationName(QStringLiteral("callops"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CALLOPS_VERSION));

    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    QTextStream err(stderr);
    // Parsed once before any application object exists, to know which one the mode needs.
    const auto first = CommandLine::parse(arguments);

    std::unique_ptr<QCoreApplication> app;
    bool noDisplay = false;
    const bool helpOrVersion = first && (first->showHelp || first->showVersion);
#ifdef CALLOPS_WITH_UI
    if (first && needsWindow(*first) && !helpOrVersion) {
        if (displayAvailable())
            app = std::make_unique<QApplication>(argc, argv);
        else
            noDisplay = true;
    }
#endif
    if (!app && first && first->mode == CommandLineRequest::Mode::ExportFailures && !helpOrVersion) {
        // The PDF report needs fonts, so a QGuiApplication; without a display it paints offscreen.
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY")
            && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        app = std::make_unique<QGuiApplication>(argc, argv);
    }
    if (!app)
        app = std::make_unique<QCoreApplication>(argc, argv);

    const QString configFile = first ? first->configFile : CommandLine::lastValue(QStringLiteral("config"));
    const auto settings
            = configFile.isEmpty() ? std::make_unique<Settings>() : std::make_unique<Settings>(configFile);
    if (speaksToAPerson(first)) {
        const QString language = translation::chosen(
                first ? first->language : CommandLine::lastValue(QStringLiteral("lang")), *settings);
        // Asked for by name (not the system's own language) and not there: said, not ignored.
        if (!translation::install(language) && !language.isEmpty()) {
            err << QCoreApplication::translate("main",
                                               "No translation for the language \"%1\": English is used "
                                               "(translations: %2).")
                            .arg(language, translation::available().join(QStringLiteral(", ")))
                << Qt::endl;
        }
    }
    // Parsed again in the user's language: the help and the errors are written as it parses.
    const auto request = CommandLine::parse(arguments);
    if (!request) {
        err << request.error() << Qt::endl;
        return ExitCode::BadConfiguration;
    }
    if (noDisplay) {
        err << QCoreApplication::translate("main",
                                           "No display to open the console on: run with --no-gui for "
                                           "the headless scheduler, or set DISPLAY.")
            << Qt::endl;
        return ExitCode::BadConfiguration;
    }
    if (request->showHelp || request->showVersion)
        CommandLine::showHelpOrVersion(*request);

    if (const Status status = CommandLine::applyTo(*settings); !status) {
        err << status.error() << Qt::endl;
        return ExitCode::BadConfiguration;
    }
    // Environment and settings-file values are checked here, whatever the mode: a broken value
    // is named at start instead of being read as 0 later.
    if (const Status status = settings->validate(); !status) {
        err << status.error() << Qt::endl;
#ifdef CALLOPS_WITH_UI
        if (qobject_cast<QApplication *>(app.get()))
            QMessageBox::critical(nullptr, QCoreApplication::translate("main", "CallOps"), status.error());
#endif
        return ExitCode::BadConfiguration;
    }

    switch (request->mode) {
    case CommandLineRequest::Mode::Migrate:
        return MigrateCommand::run(*settings);
    case CommandLineRequest::Mode::Check:
        return CheckCommand::run(*settings);
    case CommandLineRequest::Mode::Headless:
        return HeadlessCommand::run(*settings, request->once);
    case CommandLineRequest::Mode::Demo:
        return DemoCommand::run(*settings, *request);
    case CommandLineRequest::Mode::ExportFailures:
        return ExportCommand::run(*settings, *request);
    case CommandLineRequest::Mode::Console:
#ifdef CALLOPS_WITH_UI
        return ConsoleCommand::run(*settings);
#else
        break;
#endif
    }
    err << QCoreApplication::translate("main", "This mode is not available in this build yet.") << Qt::endl;
    return ExitCode::BadConfiguration;
}
