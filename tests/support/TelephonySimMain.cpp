// callops-telephony-sim: the telephony simulator as a process of its own, for tests that run
// several schedulers as separate processes. Prints the port it listens on as the first line of
// stdout, runs until SIGTERM or SIGINT, then prints a summary on stderr and exits 0.

#include "db/ConnectionSettings.h"
#include "telephony/TelephonySimulator.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTextStream>

#include <csignal>
#include <cstdio>
#include <unistd.h>

using callops::TelephonySimulator;

namespace {

int g_signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(g_signalPipe[1], &byte, 1);
}

struct Option
{
    const char *name;
    const char *description;
    const char *valueName;
};

bool readDouble(const QCommandLineParser &parser, const QString &name, double *target)
{
    if (!parser.isSet(name))
        return true;
    bool ok = false;
    const double value = parser.value(name).toDouble(&ok);
    if (ok)
        *target = value;
    return ok;
}

bool readInt(const QCommandLineParser &parser, const QString &name, int *target)
{
    if (!parser.isSet(name))
        return true;
    bool ok = false;
    const int value = parser.value(name).toInt(&ok);
    if (ok)
        *target = value;
    return ok;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName("callops-telephony-sim");

    QCommandLineParser parser;
    parser.setApplicationDescription("Answers like pre-classify-call on 127.0.0.1 and writes call outcomes.");
    parser.addHelpOption();
    const Option options[] = {
            {"db", "PostgreSQL URL for outcomes (none: answer only).", "url"},
            {"port", "Port on 127.0.0.1 (default 0: any free port).", "port"},
            {"record", "Append each request to FILE as a JSON line.", "file"},
            {"key", "Expected service key (else SUPABASE_SERVICE_ROLE_KEY; empty: not checked).", "key"},
            {"seed", "Random seed (default 1).", "n"},
            {"human", "Weight of 'human' classification outcomes.", "w"},
            {"ivr-only", "Weight of 'ivr_only'.", "w"},
            {"ivr-then-human", "Weight of 'ivr_then_human'.", "w"},
            {"no-answer", "Weight of 'no answer' (failed classification).", "w"},
            {"task-success", "Probability that a task call succeeds.", "p"},
            {"min-delay", "Minimum delay before an outcome, ms.", "ms"},
            {"max-delay", "Maximum delay before an outcome, ms.", "ms"},
            {"timeout", "Probability of never answering a request.", "p"},
            {"timeout-answer-ms", "Answer timed-out requests with 504 after this many ms (0: never).", "ms"},
            {"server-error", "Probability of answering 500.", "p"},
            {"client-error", "Probability of answering a 4xx.", "p"},
            {"client-error-status", "The 4xx answered (default 422).", "status"},
            {"slow", "Probability of a slow (but accepted) answer.", "p"},
            {"slow-ms", "Delay of slow answers, ms (default 2000).", "ms"},
            {"ivr-wait", "Seconds classification_pending waits (default 30).", "s"},
            {"task-retry-delay", "Seconds before a failed task call is retried (default 1800).", "s"},
    };
    for (const Option &option : options)
        parser.addOption({QString::fromLatin1(option.name), QString::fromLatin1(option.description),
                          QString::fromLatin1(option.valueName)});
    parser.process(app);

    TelephonySimulator::Config config;
    config.expectedKey
            = parser.isSet("key") ? parser.value("key") : qEnvironmentVariable("SUPABASE_SERVICE_ROLE_KEY");
    config.recordFile = parser.value("record");
    QTextStream err(stderr);
    if (parser.isSet("db")) {
        auto settings = callops::ConnectionSettings::parse(parser.value("db"));
        if (!settings) {
            err << "callops-telephony-sim: " << settings.error() << Qt::endl;
            return 2;
        }
        config.database = settings.value();
    }
    int port = 0;
    int seed = 1;
    auto &o = config.outcomes;
    auto &f = config.faults;
    const bool parsed = readInt(parser, "port", &port) && readInt(parser, "seed", &seed)
            && readDouble(parser, "human", &o.human) && readDouble(parser, "ivr-only", &o.ivrOnly)
            && readDouble(parser, "ivr-then-human", &o.ivrThenHuman)
            && readDouble(parser, "no-answer", &o.noAnswer)
            && readDouble(parser, "task-success", &o.taskSuccess)
            && readInt(parser, "min-delay", &o.minDelayMs) && readInt(parser, "max-delay", &o.maxDelayMs)
            && readDouble(parser, "timeout", &f.timeout)
            && readInt(parser, "timeout-answer-ms", &f.timeoutAnswerMs)
            && readDouble(parser, "server-error", &f.serverError)
            && readDouble(parser, "client-error", &f.clientError)
            && readInt(parser, "client-error-status", &f.clientErrorStatus)
            && readDouble(parser, "slow", &f.slow) && readInt(parser, "slow-ms", &f.slowMs)
            && readInt(parser, "ivr-wait", &config.timings.ivrWaitSeconds)
            && readInt(parser, "task-retry-delay", &config.timings.taskRetryDelaySeconds);
    if (!parsed || port < 0 || port > 65535) {
        err << "callops-telephony-sim: an option has a value that is not a number; see --help" << Qt::endl;
        return 2;
    }
    config.port = quint16(port);
    config.seed = quint32(seed);

    if (::pipe(g_signalPipe) != 0) {
        err << "callops-telephony-sim: cannot create the signal pipe" << Qt::endl;
        return 1;
    }
    QSocketNotifier notifier(g_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &app, [] { QCoreApplication::quit(); });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);

    // No GUI here: the simulator runs on the main thread.
    TelephonySimulator simulator(config);
    if (const auto started = simulator.start(); !started) {
        err << "callops-telephony-sim: " << started.error() << Qt::endl;
        return 2;
    }
    std::printf("%u\n", unsigned(simulator.port()));
    std::fflush(stdout);

    const int rc = app.exec();
    const int pending = simulator.pendingOutcomes();
    simulator.stop();
    err << "callops-telephony-sim: " << simulator.requests().size() << " requests, "
        << simulator.outcomesWritten() << " outcomes written, " << simulator.outcomeErrors()
        << " outcome errors, " << pending << " outcomes dropped at exit" << Qt::endl;
    return rc;
}
