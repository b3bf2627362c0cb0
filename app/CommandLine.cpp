#include "CommandLine.h"

#include "common/MessageText.h"
#include "config/Settings.h"
#include "db/ConnectionSettings.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>

#include <memory>

namespace callops {
namespace {

// Text::tr, not a free tr(): lupdate files a free function's strings under the enclosing
// namespace, so they never matched the context they were looked up in and stayed English.
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(CommandLine)
};

struct SettingOption
{
    const char *name;
    const char *valueName;
    const char *description;
    Settings::Key key;
    enum class Kind { Text, WholeNumber, NonNegativeNumber } kind;
};

// Options that are settings: their value overrides the environment and the settings file.
const SettingOption kSettingOptions[] = {
        {"db", "url",
         QT_TRANSLATE_NOOP("CommandLine", "PostgreSQL URL or libpq keyword string (else DATABASE_URL)."),
         Settings::Key::DatabaseUrl, SettingOption::Kind::Text},
        {"supabase-url", "url",
         QT_TRANSLATE_NOOP("CommandLine", "Base URL of the call trigger (else SUPABASE_URL)."),
         Settings::Key::SupabaseUrl, SettingOption::Kind::Text},
        {"batch", "n", QT_TRANSLATE_NOOP("CommandLine", "Rows claimed per pass (default 50)."),
         Settings::Key::BatchSize, SettingOption::Kind::WholeNumber},
        {"interval", "seconds",
         QT_TRANSLATE_NOOP("CommandLine",
                           "Seconds between passes when nothing wakes the "
                           "scheduler (default 30)."),
         Settings::Key::IntervalSeconds, SettingOption::Kind::WholeNumber},
        {"calls-per-second", "n",
         QT_TRANSLATE_NOOP("CommandLine",
                           "Calls started per second by all schedulers "
                           "together; 0 = no limit (default 1)."),
         Settings::Key::CallsPerSecond, SettingOption::Kind::NonNegativeNumber},
        {"inflight-timeout", "seconds",
         QT_TRANSLATE_NOOP("CommandLine",
                           "Seconds a call may stay classifying or "
                           "calling before it is retried (default 600)."),
         Settings::Key::InflightTimeoutSeconds, SettingOption::Kind::WholeNumber},
        {"calling-hours", "spec",
         QT_TRANSLATE_NOOP("CommandLine", "Clinic calling hours, e.g. \"mon-fri 08:00-17:00\"."),
         Settings::Key::CallingHours, SettingOption::Kind::Text},
        {"default-region", "cc",
         QT_TRANSLATE_NOOP("CommandLine",
                           "Region for numbers without a country code "
                           "(default US)."),
         Settings::Key::DefaultRegion, SettingOption::Kind::Text},
        {"default-timezone", "zone",
         QT_TRANSLATE_NOOP("CommandLine",
                           "Time zone assumed when a clinic's cannot be "
                           "told (default America/New_York)."),
         Settings::Key::DefaultTimeZone, SettingOption::Kind::Text},
};

// An argument quoted in an error message: one line, short, and any password in it masked (a
// database URL given where another value was expected).
QString shown(const QString &argument, qsizetype maxLength = 60)
{
    return MessageText::quoted(ConnectionSettings::maskPasswords(argument), maxLength);
}

// The parser of the last parse(), made anew each time: its descriptions are translated when the
// options are added, and main() parses again once it has installed the user's language.
std::unique_ptr<QCommandLineParser> &lastParser()
{
    static std::unique_ptr<QCommandLineParser> instance;
    return instance;
}

QCommandLineParser &parser()
{
    if (lastParser())
        return *lastParser();
    lastParser() = std::make_unique<QCommandLineParser>();
    QCommandLineParser &instance = *lastParser();
    instance.setApplicationDescription(
            Text::tr("CallOps: the operations console and scheduler for automated clinic calls."));
    instance.addHelpOption();
    instance.addVersionOption();
    instance.addOptions({
            {QStringLiteral("no-gui"), Text::tr("Run the scheduler headless until SIGTERM or SIGINT.")},
            {QStringLiteral("once"), Text::tr("With --no-gui: run one pass, print its JSON summary, exit.")},
            {QStringLiteral("migrate"), Text::tr("Apply the database migrations and exit.")},
            {QStringLiteral("check"),
             Text::tr("Check what --no-gui would run with (settings, the call trigger's host, database "
                      "login, grants, migrations, the guide's pg_cron job) without placing a call, and "
                      "exit.")},
            {QStringLiteral("demo"),
             Text::tr("Run the self-contained demo: private PostgreSQL, simulated telephony.")},
            {QStringLiteral("demo-reset"),
             Text::tr("With --demo: throw away the demo database and start over.")},
            {QStringLiteral("export-failures"),
             Text::tr("Write failed calls to FILE (.csv or .pdf) and exit."), QStringLiteral("file")},
            {QStringLiteral("since"), Text::tr("With --export-failures: first day (YYYY-MM-DD)."),
             QStringLiteral("date")},
            {QStringLiteral("until"), Text::tr("With --export-failures: last day (YYYY-MM-DD)."),
             QStringLiteral("date")},
            {QStringLiteral("config"), Text::tr("Settings file to use instead of the user's."),
             QStringLiteral("file")},
            {QStringLiteral("lang"),
             Text::tr("Language of the console, the reports and the messages (en, es; else CALLOPS_LANG, "
                      "else the system's). Log lines stay in English."),
             QStringLiteral("code")},
    });
    for (const auto &option : kSettingOptions) {
        instance.addOption({QString::fromLatin1(option.name), Text::tr(option.description),
                            QString::fromLatin1(option.valueName)});
    }
    return instance;
}

Result<QDate> parseDate(const QString &text, const char *option)
{
    if (text.isEmpty())
        return QDate();
    const QDate date = QDate::fromString(text, Qt::ISODate);
    if (!date.isValid())
        return Error{Text::tr("--%1 expects a date as YYYY-MM-DD, not \"%2\"")
                             .arg(QString::fromLatin1(option), shown(text))};
    return date;
}

// The options that pick a mode given in `p`, in the order parse() used to let one win over the
// others; --no-gui is left out when --demo takes it (the demo without a window).
QStringList modeOptions(const QCommandLineParser &p)
{
    QStringList given;
    for (const char *option : {"migrate", "check", "export-failures", "demo", "no-gui"}) {
        if (p.isSet(QString::fromLatin1(option)))
            given << QString::fromLatin1(option);
    }
    if (given.contains(QStringLiteral("demo")))
        given.removeOne(QStringLiteral("no-gui"));
    return given;
}

// Checked before connecting, and before any work: a name that is neither .csv nor .pdf is a typo,
// not a CSV file with a surprising name, and a report that cannot be written is known without
// the database.
Status checkExportFile(const QString &file)
{
    const QFileInfo target(file);
    const QString suffix = target.suffix().toLower();
    if (suffix != u"csv" && suffix != u"pdf")
        return Error{Text::tr("--export-failures expects a file ending in .csv or .pdf, not \"%1\"")
                             .arg(shown(file))};
    if (target.isDir())
        return Error{Text::tr("Cannot write the report to \"%1\": it is a folder").arg(shown(file))};
    if (target.exists() && !target.isWritable())
        return Error{Text::tr("Cannot write the report to \"%1\": the file is read-only").arg(shown(file))};
    const QFileInfo folder(target.absolutePath());
    if (!folder.isDir())
        return Error{
                Text::tr("Cannot write the report to \"%1\": the folder does not exist").arg(shown(file))};
    if (!folder.isWritable())
        return Error{
                Text::tr("Cannot write the report to \"%1\": the folder is not writable").arg(shown(file))};
    return Status::success();
}

// --config must name a settings file that can be read: QSettings would silently start empty.
Status checkConfigFile(const QString &file)
{
    const QFileInfo info(file);
    if (!info.exists())
        return Error{Text::tr("The settings file \"%1\" given to --config does not exist").arg(shown(file))};
    if (info.isDir())
        return Error{Text::tr("\"%1\" given to --config is a folder, not a settings file").arg(shown(file))};
    if (!info.isReadable())
        return Error{Text::tr("Cannot read the settings file \"%1\" given to --config: check its permissions")
                             .arg(shown(file))};
    return Status::success();
}

} // namespace

void CommandLine::showHelpOrVersion(const CommandLineRequest &request)
{
    if (request.showVersion)
        parser().showVersion();
    // Qt prints the help with its own options only from process(), which exits.
    if (request.showHelpAll)
        parser().process(QCoreApplication::arguments());
    parser().showHelp(0);
}

QString CommandLine::lastValue(const QString &option)
{
    return lastParser() ? lastParser()->value(option) : QString();
}

Result<CommandLineRequest> CommandLine::parse(const QStringList &arguments)
{
    lastParser().reset();
    QCommandLineParser &p = parser();
    if (!p.parse(arguments)) {
        // QCommandLineParser quotes unknown options whole, hence shown().
        QString error = shown(p.errorText(), 200);
        if (error.endsWith(u'.'))
            error.chop(1);
        return Error{Text::tr("%1; see --help").arg(error)};
    }
    CommandLineRequest request;
    request.showHelpAll = p.isSet(QStringLiteral("help-all"));
    request.showHelp = p.isSet(QStringLiteral("help")) || request.showHelpAll;
    request.showVersion = p.isSet(QStringLiteral("version"));
    if (request.showHelp || request.showVersion)
        return request;
    if (!p.positionalArguments().isEmpty())
        return Error{Text::tr("Unexpected argument \"%1\"; see --help")
                             .arg(shown(p.positionalArguments().constFirst()))};

    // Two modes asked for at once: say so instead of silently picking one (--demo --migrate
    // migrated DATABASE_URL's database).
    const QStringList modes = modeOptions(p);
    if (modes.size() > 1)
        return Error{Text::tr("--%1 and --%2 do not go together: choose one; see --help")
                             .arg(modes.at(0), modes.at(1))};
    const bool noGui = p.isSet(QStringLiteral("no-gui"));
    const bool demo = p.isSet(QStringLiteral("demo"));
    if (p.isSet(QStringLiteral("migrate")))
        request.mode = CommandLineRequest::Mode::Migrate;
    else if (p.isSet(QStringLiteral("check")))
        request.mode = CommandLineRequest::Mode::Check;
    else if (p.isSet(QStringLiteral("export-failures")))
        request.mode = CommandLineRequest::Mode::ExportFailures;
    else if (demo)
        request.mode = CommandLineRequest::Mode::Demo;
    else if (noGui)
        request.mode = CommandLineRequest::Mode::Headless;

    request.noGui = noGui;
    request.once = p.isSet(QStringLiteral("once"));
    if (request.once && request.mode != CommandLineRequest::Mode::Headless) {
        if (!modes.isEmpty())
            return Error{Text::tr("--once does not go with --%1: it is for --no-gui alone")
                                 .arg(modes.constFirst())};
        return Error{Text::tr("--once only goes with --no-gui")};
    }
    request.demoReset = p.isSet(QStringLiteral("demo-reset"));
    if (request.demoReset && !demo)
        return Error{Text::tr("--demo-reset only goes with --demo")};
    request.configFile = p.value(QStringLiteral("config"));
    if (p.isSet(QStringLiteral("config"))) {
        if (const Status status = checkConfigFile(request.configFile); !status)
            return Error{status.error()};
    }
    for (const QString &day : {QStringLiteral("since"), QStringLiteral("until")}) {
        // Without an export they would be dropped, and a console or scheduler run as if a report
        // had been limited to those days.
        if (p.isSet(day) && request.mode != CommandLineRequest::Mode::ExportFailures)
            return Error{Text::tr("--%1 only goes with --export-failures").arg(day)};
    }
    request.exportFile = p.value(QStringLiteral("export-failures"));
    if (request.mode == CommandLineRequest::Mode::ExportFailures) {
        if (const Status status = checkExportFile(request.exportFile); !status)
            return Error{status.error()};
    }
    request.language = p.value(QStringLiteral("lang"));

    const Result<QDate> since = parseDate(p.value(QStringLiteral("since")), "since");
    if (!since)
        return Error{since.error()};
    const Result<QDate> until = parseDate(p.value(QStringLiteral("until")), "until");
    if (!until)
        return Error{until.error()};
    if (since->isValid() && until->isValid() && *until < *since)
        return Error{Text::tr("--until must not be before --since")};
    request.since = *since;
    request.until = *until;
    return request;
}

Status CommandLine::applyTo(Settings &settings)
{
    QCommandLineParser &p = parser();
    for (const auto &option : kSettingOptions) {
        const QString name = QString::fromLatin1(option.name);
        if (!p.isSet(name))
            continue;
        const QString value = p.value(name);
        switch (option.kind) {
        case SettingOption::Kind::Text:
            settings.setCommandLineValue(option.key, value);
            break;
        case SettingOption::Kind::WholeNumber: {
            bool ok = false;
            const qlonglong n = value.toLongLong(&ok);
            const Settings::Range range = Settings::range(option.key);
            if (!ok || n < range.minimum || n > range.maximum)
                return Error{Text::tr("--%1 expects %2, not \"%3\"")
                                     .arg(name, Settings::requirement(option.key), shown(value))};
            settings.setCommandLineValue(option.key, int(n));
            break;
        }
        case SettingOption::Kind::NonNegativeNumber: {
            bool ok = false;
            const double n = value.toDouble(&ok);
            if (!ok || n < 0)
                return Error{
                        Text::tr("--%1 expects a number of 0 or more, not \"%2\"").arg(name, shown(value))};
            settings.setCommandLineValue(option.key, n);
            break;
        }
        }
    }
    return Status::success();
}

} // namespace callops
