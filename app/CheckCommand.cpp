#include "CheckCommand.h"

#include "ExitCode.h"
#include "SchedulerPreflight.h"
#include "config/Settings.h"
#include "scheduler/SchedulerConfig.h"
#include "telephony/CallTrigger.h"
#include "telephony/CallTriggerReach.h"

#include <QCoreApplication>
#include <QTextStream>
#include <QUrl>

namespace callops {
namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(CheckCommand)
};

QString mark(SchedulerPreflight::Finding::Kind kind)
{
    switch (kind) {
    case SchedulerPreflight::Finding::Kind::Ok:
        return Text::tr("ok");
    case SchedulerPreflight::Finding::Kind::Note:
        return Text::tr("note");
    case SchedulerPreflight::Finding::Kind::Problem:
        break;
    }
    return Text::tr("FAIL");
}

} // namespace

int CheckCommand::run(const Settings &settings)
{
    QTextStream out(stdout);
    // The marks line up in any language ("FAIL" is "FALLO" in Spanish).
    qsizetype width = 0;
    for (const auto kind : {SchedulerPreflight::Finding::Kind::Ok, SchedulerPreflight::Finding::Kind::Note,
                            SchedulerPreflight::Finding::Kind::Problem})
        width = qMax(width, mark(kind).size());
    auto say = [&out, width](SchedulerPreflight::Finding::Kind kind, const QString &text) {
        out << mark(kind).leftJustified(width) << u' ' << text << Qt::endl;
    };
    const auto config = SchedulerConfig::fromSettings(settings);
    if (!config) {
        say(SchedulerPreflight::Finding::Kind::Problem, config.error());
        out << Text::tr("Not ready: fix the settings above.") << Qt::endl;
        return ExitCode::BadConfiguration;
    }
    // The key itself is never printed, only how it is sent.
    const bool secretKey = CallTrigger::keyForm(config->serviceKey) == CallTrigger::KeyForm::SecretKey;
    const QUrl endpoint = CallTrigger::endpoint(config->supabaseUrl);
    say(SchedulerPreflight::Finding::Kind::Ok,
        Text::tr("Calls go to %1 with the key as %2 (this check calls nothing: the key is first tried by the "
                 "first call).")
                .arg(endpoint.toDisplayString(QUrl::RemoveUserInfo),
                     secretKey ? QStringLiteral("apikey") : QStringLiteral("Authorization: Bearer")));
    say(SchedulerPreflight::Finding::Kind::Ok,
        Text::tr("A pass every %1 s, at most %2 calls a pass; calls per second for all schedulers "
                 "together: %3 (0: no limit); calling hours %4.")
                .arg(config->intervalSeconds)
                .arg(config->batchSize)
                .arg(config->callsPerSecond)
                .arg(config->callingHours));
    // Reached, not called: a POST would place a call, so whether the key is accepted shows with
    // the first call (a refused key stops calls without spending attempts).
    const Status reach = CallTriggerReach::check(endpoint, config->httpTimeoutMs);
    const QString hostAndPort = CallTriggerReach::where(endpoint);
    if (!reach)
        say(SchedulerPreflight::Finding::Kind::Problem, reach.error());
    else if (endpoint.scheme() == u"https")
        say(SchedulerPreflight::Finding::Kind::Ok,
            Text::tr(
                    "The call trigger's host answers at %1 over TLS, with a certificate this machine trusts.")
                    .arg(hostAndPort));
    else
        say(SchedulerPreflight::Finding::Kind::Ok,
            Text::tr("The call trigger's host answers at %1.").arg(hostAndPort));
    if (const Status status = config->database.checkNotTransactionPooler(); !status) {
        say(SchedulerPreflight::Finding::Kind::Problem, status.error());
        out << Text::tr("Not ready: fix the settings above.") << Qt::endl;
        return ExitCode::BadConfiguration;
    }

    const SchedulerPreflight::Report report
            = SchedulerPreflight::run(config->database, {.guideScheduler = true, .otherSchedulers = true});
    for (const SchedulerPreflight::Finding &finding : report.findings)
        say(finding.kind, finding.text);
    int exitCode = report.exitCode;
    if (exitCode == ExitCode::Ok && !reach)
        exitCode = ExitCode::Failure;
    if (exitCode != ExitCode::Ok) {
        out << Text::tr("Not ready: callops --no-gui would not place calls; fix what FAIL says above.")
            << Qt::endl;
        return exitCode;
    }
    out << Text::tr("Ready: callops --no-gui would place calls with these settings.") << Qt::endl;
    return ExitCode::Ok;
}

} // namespace callops
