#include "CommandLine.h"

#include "common/MessageText.h"
#include "config/Settings.h"
#include "db/ConnectionSettings.h"

#include <QCommandLineParser>
#include <QCoreApplication>

namespace callops {
namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("CommandLine", text);
}

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

QCommandLineParser &parser()
{
    static QCommandLineParser instance;
    static bool built = false;
    if (built)
        return instance;
    built = true;
    instance.setApplicationDescription(
            tr("CallOps: the operations console and scheduler for automated clinic calls."));
    instance.addHelpOption();
    instance.addVersionOption();
    instance.addOptions({
            {QStringLiteral("no-gui"), tr("Run the scheduler headless until SIGTERM or SIGINT.")},
            {QStringLiteral("once"), tr("With --no-gui: run one pass, print its JSON summary, exit.")},
            {QStringLiteral("migrate"), tr("Apply the database migrations and exit.")},
            {QStringLiteral("demo"),
             tr("Run the self-contained demo: private PostgreSQL, simulated telephony.")},
            {QStringLiteral("demo-reset"), tr("With --demo: throw away the demo database and start over.")},
            {QStringLiteral("export-failures"), tr("Write failed calls to FILE (.csv or .pdf) and exit."),
             QStringLiteral("file")},
            {QStringLiteral("since"), tr("With --export-failures: first day (YYYY-MM-DD)."),
             QStringLiteral("date")},
            {QStringLiteral("until"), tr("With --export-failures: last day (YYYY-MM-DD)."),
             QStringLiteral("date")},
            {QStringLiteral("config"), tr("Settings file to use instead of the user's."),
             QStringLiteral("file")},
            {QStringLiteral("lang"), tr("Language of the console (en, es)."), QStringLiteral("code")},
    });
    for (const auto &option : kSettingOptions) {
        instance.addOption({QString::fromLatin1(option.name), tr(option.description),
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
        return Error{tr("--%1 expects a date as YYYY-MM-DD, not \"%2\"")
                             .arg(QString::fromLatin1(option), shown(text))};
    return date;
}

} // namespace

void CommandLine::showHelpOrVersion(const CommandLineRequest &request)
{
    if (request.showVersion)
        parser().showVersion();
    parser().showHelp(0);
}

Result<CommandLineRequest> CommandLine::parse(const QStringList &arguments)
{
    QCommandLineParser &p = parser();
    if (!p.parse(arguments))
        return Error{shown(p.errorText(), 200)}; // QCommandLineParser quotes unknown options whole
    CommandLineRequest request;
    request.showHelp = p.isSet(QStringLiteral("help"));
    request.showVersion = p.isSet(QStringLiteral("version"));
    if (request.showHelp || request.showVersion)
        return request;
    if (!p.positionalArguments().isEmpty())
        return Error{tr("Unexpected argument \"%1\"; see --help")
                             .arg(shown(p.positionalArguments().constFirst()))};

    const bool noGui = p.isSet(QStringLiteral("no-gui"));
    const bool demo = p.isSet(QStringLiteral("demo"));
    if (p.isSet(QStringLiteral("migrate")))
        request.mode = CommandLineRequest::Mode::Migrate;
    else if (p.isSet(QStringLiteral("export-failures")))
        request.mode = CommandLineRequest::Mode::ExportFailures;
    else if (demo)
        request.mode = CommandLineRequest::Mode::Demo;
    else if (noGui)
        request.mode = CommandLineRequest::Mode::Headless;

    request.noGui = noGui;
    request.once = p.isSet(QStringLiteral("once"));
    if (request.once && request.mode != CommandLineRequest::Mode::Headless)
        return Error{tr("--once only goes with --no-gui")};
    request.demoReset = p.isSet(QStringLiteral("demo-reset"));
    if (request.demoReset && !demo)
        return Error{tr("--demo-reset only goes with --demo")};
    request.configFile = p.value(QStringLiteral("config"));
    request.exportFile = p.value(QStringLiteral("export-failures"));
    request.language = p.value(QStringLiteral("lang"));

    const Result<QDate> since = parseDate(p.value(QStringLiteral("since")), "since");
    if (!since)
        return Error{since.error()};
    const Result<QDate> until = parseDate(p.value(QStringLiteral("until")), "until");
    if (!until)
        return Error{until.error()};
    if (since->isValid() && until->isValid() && *until < *since)
        return Error{tr("--until must not be before --since")};
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
                return Error{tr("--%1 expects %2, not \"%3\"")
                                     .arg(name, Settings::requirement(option.key), shown(value))};
            settings.setCommandLineValue(option.key, int(n));
            break;
        }
        case SettingOption::Kind::NonNegativeNumber: {
            bool ok = false;
            const double n = value.toDouble(&ok);
            if (!ok || n < 0)
                return Error{tr("--%1 expects a number of 0 or more, not \"%2\"").arg(name, shown(value))};
            settings.setCommandLineValue(option.key, n);
            break;
        }
        }
    }
    return Status::success();
}

} // namespace callops
