// Bad input for the configuration: command-line values, environment variables and settings
// files full of garbage. Each is either taken or refused with a clear message; none crashes,
// none repeats the database password or the service key, and the service key is never read
// from a file.
#include "BadInput.h"
#include "CommandLine.h"
#include "config/Settings.h"

#include <QDir>
#include <QFile>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace callops;
using namespace callops::test;

namespace {

const QString kPassword = QStringLiteral("Pw7f3a9c1eSecretXq");
const QString kServiceKey = QStringLiteral("sb_secret_Zq81xKeyNeverShown");
const QString kUrl = QStringLiteral("postgresql://ops:%1@127.0.0.1:5432/calls").arg(kPassword);

const QStringList kValueOptions{"db",
                                "supabase-url",
                                "batch",
                                "interval",
                                "calls-per-second",
                                "inflight-timeout",
                                "calling-hours",
                                "default-region",
                                "default-timezone",
                                "export-failures",
                                "since",
                                "until",
                                "config",
                                "lang"};

const QStringList kEnvironment{
        "CALLOPS_BATCH_SIZE",     "CALLOPS_INTERVAL",         "CALLOPS_CALLS_PER_SECOND",
        "CALLOPS_HTTP_TIMEOUT",   "CALLOPS_LEASE_SECONDS",    "CALLOPS_CALLING_HOURS",
        "CALLOPS_DEFAULT_REGION", "CALLOPS_BACKOFF_CAP",      "CALLOPS_MAX_CONCURRENT_REQUESTS",
        "CALLOPS_IVR_WAIT",       "CALLOPS_DEFAULT_TIME_ZONE"};

const QStringList kSamples{
        "50", "30", "1.5", "0",   "mon-fri 08:00-17:00", "America/Chicago", "US", "2026-11-25", "out.csv",
        kUrl, "-3", "1e3", "0x10"};
const QStringList kDictionary{"-",   "--",  "=", " ", "9",  "99999999999", "-1",  ".",  "e",
                              "nan", "inf", "%", "'", "\"", "@",           "://", "\\", ","};

// The password, if the text still holds it as part of something recognisable as a URL's user
// information ("...//...password...@"); otherwise the mutations made it an ordinary word that no
// program could tell from any other, and there is nothing to hide.
QStringList secretsIn(const QString &text)
{
    const qsizetype at = text.indexOf(kPassword);
    if (at < 0)
        return {};
    if (text.left(at).contains(u"//") && text.indexOf(u'@', at) > at)
        return {kPassword};
    return {};
}

void unsetEnvironment()
{
    for (const QString &name : kEnvironment)
        qunsetenv(qPrintable(name));
    qunsetenv("DATABASE_URL");
    qunsetenv("SUPABASE_SERVICE_ROLE_KEY");
}

} // namespace

class TestBadInputSettings : public QObject
{
    Q_OBJECT

private slots:
    void init() { unsetEnvironment(); }
    void cleanup() { unsetEnvironment(); }
    void commandLineValues();
    void commandLineWords();
    void environmentValues();
    void settingsFileGarbage();
    void urlInTheWrongPlaceIsMasked();
    void usageErrorsSayWhatIsWrong_data();
    void usageErrorsSayWhatIsWrong();
    void combinationsThatGoTogether();
};

void TestBadInputSettings::commandLineValues()
{
    BadInput input(kSamples, kDictionary);
    FuzzBudget budget(20000);
    QTemporaryDir dir;
    int refused = 0;
    while (budget.more()) {
        const QString option = kValueOptions.at(input.bounded(int(kValueOptions.size())));
        const BadInput::Case c = input.next();
        const QStringList arguments{"callops", "--migrate", "--db", kUrl, "--" + option, c.text};
        const QString what = QStringLiteral("--%1 %2 (%3)").arg(option, BadInput::describe(c.text), c.kind);
        const auto request = CommandLine::parse(arguments);
        Settings settings(dir.filePath("values.ini"));
        Status status = request ? CommandLine::applyTo(settings) : Status(Error{request.error()});
        if (status)
            status = settings.validate();
        if (!status) {
            ++refused;
            const QString problem = BadInput::problemWithError(status.error(), secretsIn(c.text));
            QVERIFY2(problem.isEmpty(), qPrintable(problem + QStringLiteral(" for ") + what));
            continue;
        }
        // Taken: the values the engine reads are in range.
        QVERIFY2(settings.integer(Settings::Key::BatchSize) > 0, qPrintable(what));
        QVERIFY2(settings.integer(Settings::Key::IntervalSeconds) > 0, qPrintable(what));
        QVERIFY2(settings.number(Settings::Key::CallsPerSecond) >= 0, qPrintable(what));
        QVERIFY2(settings.integer(Settings::Key::InflightTimeoutSeconds) > 0, qPrintable(what));
    }
    qInfo("%d cases, %d refused, seed %llu", budget.cases(), refused, BadInput::seed());
    QVERIFY(refused > 0);
}

void TestBadInputSettings::commandLineWords()
{
    // Whole argument lists of garbage: unknown options, stray words, options without values.
    QStringList words{"--no-gui", "--once",  "--migrate", "--demo", "--demo-reset", "--db", kUrl,
                      "--batch",  "--since", "--until",   "-",      "--",           "---",  "-x",
                      "--=",      "--db=",   "--help=1"};
    BadInput input(words, kDictionary);
    FuzzBudget budget(20000);
    while (budget.more()) {
        QStringList arguments{"callops"};
        const int count = input.bounded(8);
        for (int i = 0; i < count; ++i) {
            const quint32 pick = input.bounded(4);
            arguments << (pick == 0 ? input.next().text : words.at(input.bounded(int(words.size()))));
        }
        arguments.removeAll(QStringLiteral("--help"));
        arguments.removeAll(QStringLiteral("--version"));
        arguments.removeAll(QStringLiteral("-h"));
        arguments.removeAll(QStringLiteral("-v"));
        arguments.removeAll(QStringLiteral("-?"));
        arguments.removeAll(QStringLiteral("--help-all"));
        const auto request = CommandLine::parse(arguments);
        if (request && (request->showHelp || request->showVersion))
            continue; // would print help and exit: not a case for this test
        if (!request) {
            const QString problem
                    = BadInput::problemWithError(request.error(), secretsIn(arguments.join(u' ')));
            QVERIFY2(
                    problem.isEmpty(),
                    qPrintable(problem + QStringLiteral(" for ") + BadInput::describe(arguments.join(u' '))));
        }
    }
    qInfo("%d cases, seed %llu", budget.cases(), BadInput::seed());
}

void TestBadInputSettings::environmentValues()
{
    BadInput input(kSamples, kDictionary);
    FuzzBudget budget(5000);
    QTemporaryDir dir;
    qputenv("DATABASE_URL", kUrl.toUtf8());
    qputenv("SUPABASE_SERVICE_ROLE_KEY", kServiceKey.toUtf8());
    int refused = 0;
    while (budget.more()) {
        const QString name = kEnvironment.at(input.bounded(int(kEnvironment.size())));
        const QString value = input.next().text;
        // The environment holds bytes without NUL; what a process can be given.
        QByteArray bytes = value.toUtf8();
        bytes.replace('\0', "");
        qputenv(qPrintable(name), bytes);
        Settings settings(dir.filePath("env.ini"));
        const Status status = settings.validate();
        if (!status) {
            ++refused;
            const QString problem
                    = BadInput::problemWithError(status.error(), secretsIn(value) + QStringList{kServiceKey});
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
            QVERIFY2(status.error().contains(name), qPrintable(status.error()));
        } else {
            QVERIFY(settings.integer(Settings::Key::BatchSize) > 0);
            QVERIFY(settings.integer(Settings::Key::LeaseSeconds) > 0);
            QVERIFY(settings.integer(Settings::Key::BackoffCapSeconds) > 0);
        }
        qunsetenv(qPrintable(name));
    }
    qInfo("%d cases, %d refused, seed %llu", budget.cases(), refused, BadInput::seed());
    QVERIFY(refused > 0);
}

void TestBadInputSettings::settingsFileGarbage()
{
    BadInput input(kSamples, kDictionary);
    FuzzBudget budget(3000);
    QTemporaryDir dir;
    const QStringList fileKeys{"database/url",
                               "supabase/url",
                               "scheduler/batch_size",
                               "scheduler/interval_seconds",
                               "calling/hours",
                               "telephony/calls_per_second",
                               "retry/backoff_cap_seconds",
                               "phone/default_region",
                               "supabase/service_role_key",
                               "service_role_key"};
    int refused = 0;
    while (budget.more()) {
        const QString path = dir.filePath(QStringLiteral("garbage%1.ini").arg(budget.cases()));
        // A third raw bytes; a third hostile values written the way QSettings writes them; a
        // third such a file with its bytes mutated. Always a service key, which must never be
        // read from a file.
        const quint32 style = input.bounded(3);
        if (style != 0) {
            QSettings writer(path, QSettings::IniFormat);
            for (int i = 0; i < 4; ++i)
                writer.setValue(fileKeys.at(input.bounded(int(fileKeys.size()))), input.next().text);
            writer.setValue("supabase/service_role_key", kServiceKey);
            writer.setValue("service_role_key", kServiceKey);
        }
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadWrite));
            QByteArray bytes = file.readAll();
            if (style == 0)
                bytes = input.next().text.toUtf8() + "\nservice_role_key=" + kServiceKey.toUtf8() + '\n';
            else if (style == 2)
                bytes = input.mutate(QString::fromUtf8(bytes)).toUtf8();
            file.resize(0);
            file.write(bytes);
        }
        Settings settings(path);
        for (int k = int(Settings::Key::DatabaseUrl); k <= int(Settings::Key::Language); ++k) {
            const auto key = Settings::Key(k);
            Q_UNUSED(settings.value(key));
            Q_UNUSED(settings.integer(key));
            Q_UNUSED(settings.number(key));
        }
        QVERIFY(settings.source(Settings::Key::ServiceRoleKey) != Settings::Source::File);
        QVERIFY(settings.string(Settings::Key::ServiceRoleKey).isEmpty());
        const Status status = settings.validate();
        if (!status) {
            ++refused;
            const QString problem = BadInput::problemWithError(status.error(), {kServiceKey});
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
        }
        QFile::remove(path);
    }
    qInfo("%d files, %d refused, seed %llu", budget.cases(), refused, BadInput::seed());
    QVERIFY(refused > 0);
}

void TestBadInputSettings::urlInTheWrongPlaceIsMasked()
{
    // Forgotten --db (the URL becomes a stray word) or a value-taking option eating "--db".
    for (const QStringList &arguments :
         {QStringList{"callops", "--migrate", kUrl}, QStringList{"callops", "--migrate", "--batch", kUrl},
          QStringList{"callops", "--migrate", "--since", kUrl},
          QStringList{"callops", "--migrate", "--batch", "--db", kUrl},
          QStringList{"callops", "--migrate", "--calls-per-second", "host=h password=" + kPassword}}) {
        const auto request = CommandLine::parse(arguments);
        QTemporaryDir dir;
        Settings settings(dir.filePath("x.ini"));
        const Status status = request ? CommandLine::applyTo(settings) : Status(Error{request.error()});
        QVERIFY2(!status, qPrintable(arguments.join(u' ')));
        const QString problem = BadInput::problemWithError(status.error(), {kPassword});
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }
}

void TestBadInputSettings::usageErrorsSayWhatIsWrong_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("messageParts");
    // Two modes at once were resolved silently (--migrate won, even over --demo).
    QTest::newRow("demo migrate") << QStringList{"--demo", "--migrate"} << QStringList{"--migrate", "--demo"};
    QTest::newRow("export no-gui") << QStringList{"--no-gui", "--export-failures", "out.csv"}
                                   << QStringList{"--export-failures", "--no-gui"};
    QTest::newRow("migrate no-gui") << QStringList{"--no-gui", "--migrate"}
                                    << QStringList{"--migrate", "--no-gui"};
    QTest::newRow("demo export") << QStringList{"--demo", "--export-failures", "out.pdf"}
                                 << QStringList{"--export-failures", "--demo"};
    QTest::newRow("demo no-gui migrate")
            << QStringList{"--demo", "--no-gui", "--migrate"} << QStringList{"--migrate", "--demo"};
    // The hint named --no-gui although it had been given.
    QTest::newRow("once demo") << QStringList{"--demo", "--no-gui", "--once"}
                               << QStringList{"--once does not go with --demo"};
    QTest::newRow("once migrate") << QStringList{"--migrate", "--once"}
                                  << QStringList{"--once does not go with --migrate"};
    QTest::newRow("once alone") << QStringList{"--once"} << QStringList{"--once only goes with --no-gui"};
    QTest::newRow("unknown option") << QStringList{"--bogus"} << QStringList{"'bogus'", "see --help"};
    // Report days without a report were dropped silently.
    QTest::newRow("since without export") << QStringList{"--no-gui", "--since", "2026-01-01"}
                                          << QStringList{"--since only goes with --export-failures"};
    QTest::newRow("until without export") << QStringList{"--until", "2026-01-01"}
                                          << QStringList{"--until only goes with --export-failures"};
    // Anything but .csv and .pdf was written as CSV, after connecting.
    QTest::newRow("export txt") << QStringList{"--export-failures", "report.txt"}
                                << QStringList{".csv or .pdf", "report.txt"};
    QTest::newRow("export no suffix")
            << QStringList{"--export-failures", "report"} << QStringList{".csv or .pdf"};
    // A --config that cannot be read was ignored: the defaults ran instead.
    QTest::newRow("config missing") << QStringList{"--config", "/nonexistent/callops.conf"}
                                    << QStringList{"/nonexistent/callops.conf", "does not exist"};
    QTest::newRow("config folder") << QStringList{"--config", QDir::tempPath()} << QStringList{"is a folder"};
    // Seconds are multiplied into int milliseconds: 2147484 s made the interval timer negative.
    QTest::newRow("interval overflow") << QStringList{"--interval", "2147484"}
                                       << QStringList{"--interval", "seconds from 1 to 86400", "2147484"};
    QTest::newRow("interval zero") << QStringList{"--interval", "0"}
                                   << QStringList{"--interval", "from 1 to 86400"};
    QTest::newRow("inflight huge") << QStringList{"--inflight-timeout", "99999999999"}
                                   << QStringList{"--inflight-timeout", "seconds from 1 to 86400"};
    QTest::newRow("batch huge") << QStringList{"--batch", "10001"}
                                << QStringList{"--batch", "whole number from 1 to 10000"};
}

void TestBadInputSettings::usageErrorsSayWhatIsWrong()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, messageParts);
    QTemporaryDir dir;
    Settings settings(dir.filePath("usage.ini"));
    const auto request = CommandLine::parse(QStringList{"callops"} + arguments);
    const Status status = request ? CommandLine::applyTo(settings) : Status(Error{request.error()});
    QVERIFY2(!status, qPrintable(arguments.join(u' ')));
    for (const QString &part : messageParts)
        QVERIFY2(status.error().contains(part), qPrintable(status.error()));
    const QString problem = BadInput::problemWithError(status.error());
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestBadInputSettings::combinationsThatGoTogether()
{
    const auto demo = CommandLine::parse({"callops", "--demo", "--no-gui", "--demo-reset"});
    QVERIFY2(demo.ok(), qPrintable(demo.error()));
    QCOMPARE(demo->mode, CommandLineRequest::Mode::Demo);
    QVERIFY(demo->noGui);
    const auto pdf = CommandLine::parse({"callops", "--export-failures", "Report.PDF"});
    QVERIFY2(pdf.ok(), qPrintable(pdf.error()));
    QCOMPARE(pdf->mode, CommandLineRequest::Mode::ExportFailures);
    const auto helpAll = CommandLine::parse({"callops", "--help-all"});
    QVERIFY2(helpAll.ok(), qPrintable(helpAll.error()));
    QVERIFY(helpAll->showHelp && helpAll->showHelpAll);
}

QTEST_GUILESS_MAIN(TestBadInputSettings)
#include "TestBadInputSettings.moc"
