#include "SchedulerPreflight.h"

#include "ExitCode.h"
#include "db/ConnectionFailure.h"
#include "db/ConnectionSettings.h"
#include "db/DatabaseConnection.h"
#include "db/Migrator.h"
#include "scheduler/GuideSchedulerCheck.h"
#include "scheduler/SchedulerGrants.h"
#include "scheduler/SchedulerPresence.h"

#include <QCoreApplication>
#include <QLocale>

namespace callops {
namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(SchedulerPreflight)
};

class Findings
{
public:
    void ok(const QString &text) { m_report.findings.append({Finding::Kind::Ok, text}); }
    void note(const QString &text) { m_report.findings.append({Finding::Kind::Note, text}); }
    void problem(int exitCode, const QString &text)
    {
        m_report.findings.append({Finding::Kind::Problem, text});
        if (m_report.exitCode == ExitCode::Ok) {
            m_report.exitCode = exitCode;
            m_report.problem = text;
        }
    }
    SchedulerPreflight::Report take() { return std::move(m_report); }

private:
    using Finding = SchedulerPreflight::Finding;
    SchedulerPreflight::Report m_report;
};

// "Schedulers already running on this database: srv-1 (process 42, since 09:12), desk-7 (...)".
QString running(const QList<SchedulerSighting> &others)
{
    QStringList names;
    for (const SchedulerSighting &other : others) {
        const QString since = QLocale().toString(other.startedAt.toLocalTime(), QLocale::ShortFormat);
        names << (other.startedBy.isEmpty()
                          ? Text::tr("%1 (process %2, since %3)").arg(other.host).arg(other.pid).arg(since)
                          : Text::tr("%1 (process %2, in the console of %3, since %4)")
                                    .arg(other.host)
                                    .arg(other.pid)
                                    .arg(other.startedBy, since));
    }
    return Text::tr("Schedulers already running on this database: %1. They go on as before; the due calls "
                    "are shared with them, and no call is placed twice.")
            .arg(names.join(QStringLiteral(", ")));
}

} // namespace

// Unreachable is worth another try later (systemd restarts on DatabaseUnavailable); a refused
// login, a login without the scheduler's grants and missing migrations are not, and logging in
// again and again with a wrong password gets the server's address banned.
SchedulerPreflight::Report SchedulerPreflight::run(const ConnectionSettings &database, Looks looks)
{
    const QString purpose = QStringLiteral("preflight");
    Findings findings;
    {
        auto db = DatabaseConnection::open(database, purpose);
        if (!db && ConnectionFailure::isRefusal(db.error())) {
            findings.problem(ExitCode::BadConfiguration,
                             Text::tr("%1 (the server refused the login: retrying will not help; fix the "
                                      "database settings, then start again)")
                                     .arg(db.error()));
            return findings.take();
        }
        if (!db) {
            findings.problem(ExitCode::DatabaseUnavailable, db.error());
            return findings.take();
        }
        findings.ok(Text::tr("Connected to %1.").arg(database.target()));

        // The grants before the schema: a login that may not read schema_migrations cannot be told
        // how migrated the database is, only that it is the wrong login.
        const auto grants = SchedulerGrants::check(*db);
        if (!grants)
            findings.problem(ExitCode::BadConfiguration, grants.error());
        else if (!grants->complete())
            findings.problem(ExitCode::BadConfiguration, grants->message(database.target()));
        else
            findings.ok(Text::tr("The login may do what the scheduler does."));

        const auto schema = Migrator(*db).schemaState();
        if (!schema) {
            findings.problem(ExitCode::BadConfiguration, schema.error());
        } else if (!schema->isUsable()) {
            findings.problem(ExitCode::BadConfiguration, schema->missingMessage(database.target()));
        } else if (!schema->unknown.isEmpty()) {
            // Mid-way through upgrading a fleet, the servers not yet upgraded go on: what they call
            // is kept by the newer migrations.
            findings.note(schema->newerMessage(database.target()));
        } else {
            findings.ok(Text::tr("The database has every migration of this CallOps."));
        }
        // Not a problem (several may run at once), but an operator about to start one should know.
        if (looks.otherSchedulers && schema && schema->isUsable() && grants && grants->complete()) {
            if (const auto others = SchedulerPresence::seen(*db); others && !others->isEmpty())
                findings.note(running(*others));
        }

        if (looks.guideScheduler) {
            const Finding guide = guideScheduler(*db);
            if (guide.kind == Finding::Kind::Problem)
                findings.problem(ExitCode::Failure, guide.text);
            else if (guide.kind == Finding::Kind::Note)
                findings.note(guide.text);
            else
                findings.ok(guide.text);
        }
    }
    DatabaseConnection::close(purpose);
    return findings.take();
}

SchedulerPreflight::Finding SchedulerPreflight::guideScheduler(const QSqlDatabase &db)
{
    const GuideSchedulerCheck::Finding guide = GuideSchedulerCheck(db).look();
    switch (guide.kind) {
    case GuideSchedulerCheck::Finding::Kind::Active: {
        const GuideSchedulerCheck::Remedy remedy = GuideSchedulerCheck::remedy(guide.jobs);
        return {Finding::Kind::Problem,
                Text::tr("The guide's scheduler is still active on this database (pg_cron job %1): CallOps "
                         "places no calls while it is. Remove it as %2: %3")
                        .arg(remedy.jobs, remedy.owners, remedy.unschedule)};
    }
    case GuideSchedulerCheck::Finding::Kind::Unknown:
        return {Finding::Kind::Note,
                Text::tr("Cannot tell whether the guide's scheduler (pg_cron job %1) is still active: "
                         "%2. Make sure it is unscheduled.")
                        .arg(GuideSchedulerCheck::jobName(), guide.note)};
    case GuideSchedulerCheck::Finding::Kind::None:
        break;
    }
    return {Finding::Kind::Ok,
            Text::tr("The guide's scheduler (pg_cron job %1) is not active here.")
                    .arg(GuideSchedulerCheck::jobName())};
}

} // namespace callops
