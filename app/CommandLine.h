#pragma once

#include "common/Result.h"

#include <QDate>
#include <QString>

namespace callops {

class Settings;

// What the user asked for on the command line. Values that are settings (database URL, batch
// size, ...) go into Settings at their command-line precedence; what is left here picks the mode.
struct CommandLineRequest
{
    enum class Mode { Console, Headless, Migrate, Check, ExportFailures, Demo };

    Mode mode = Mode::Console;
    bool once = false; // headless: one pass, JSON on stdout
    bool noGui = false; // --no-gui; with --demo: the demo without a window
    bool showHelp = false; // --help or --help-all
    bool showHelpAll = false; // --help-all: Qt's own options too
    bool showVersion = false;
    bool demoReset = false;
    QString configFile;
    QString exportFile;
    QDate since;
    QDate until;
    QString language;
};

class CommandLine
{
public:
    // Parses the arguments before any application object exists: the mode decides whether main()
    // makes a QCoreApplication or a QApplication.
    // Parsing again after the user's language is installed gives the help and the errors in it.
    static Result<CommandLineRequest> parse(const QStringList &arguments);
    // The value of `option` the last parse read, even when it failed (--lang, --config for the
    // language of its error).
    static QString lastValue(const QString &option);
    // Moves the setting-like options of the last parse into `settings`, checking their values.
    static Status applyTo(Settings &settings);
    // Prints help or version and exits, as QCommandLineParser does; needs the application object.
    [[noreturn]] static void showHelpOrVersion(const CommandLineRequest &request);
};

} // namespace callops
