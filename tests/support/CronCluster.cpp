#include "CronCluster.h"

#include "db/DatabaseConnection.h"
#include "db/Migrator.h"

#include <QProcess>
#include <QSqlError>
#include <QSqlQuery>

namespace callops::test {
namespace {

const QString kScript = QStringLiteral(CALLOPS_TEST_SUPPORT_DIR "/pg_test_cluster.sh");
const QString kRolePassword = QStringLiteral("Scheduler-role-42");

QString runScript(const QString &command, const QString &envFile, const QString &options = {})
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    if (!options.isEmpty())
        environment.insert(QStringLiteral("CALLOPS_TEST_PG_OPTIONS"), options);
    process.setProcessEnvironment(environment);
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(kScript, {command, envFile});
    if (!process.waitForFinished(120000)) {
        process.kill();
        process.waitForFinished();
        return QStringLiteral("pg_test_cluster.sh %1 did not finish").arg(command);
    }
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        return QStringLiteral("pg_test_cluster.sh %1 failed: %2")
                .arg(command, QString::fromUtf8(process.readAll()));
    return {};
}

} // namespace

CronCluster::CronCluster()
{
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("no temporary directory");
        return;
    }
    m_envFile = m_dir.filePath(QStringLiteral("pg.env"));
    m_error = runScript(QStringLiteral("start"), m_envFile,
                        QStringLiteral("-c shared_preload_libraries=pg_cron -c cron.database_name=postgres"));
    m_started = true;
    if (!m_error.isEmpty()) {
        m_error += QStringLiteral(" (pg_cron is the Debian package postgresql-15-cron; scripts/setup.sh "
                                  "installs it)");
        return;
    }
    auto cluster = TestCluster::fromFile(m_envFile);
    if (!cluster) {
        m_error = cluster.error();
        return;
    }
    m_cluster = *cluster;
    if (!exec(QStringLiteral("CREATE EXTENSION pg_cron"))) {
        m_error = QStringLiteral("CREATE EXTENSION pg_cron failed (package postgresql-15-cron)");
        return;
    }
    Migrator migrator(connection());
    if (const auto applied = migrator.migrate(); !applied) {
        m_error = applied.error();
        return;
    }
    // As an operator following docs/RELIABILITY.md gives the scheduler its own login.
    if (!exec(QStringLiteral("CREATE ROLE callops_engine_login LOGIN PASSWORD '%1' IN ROLE callops_scheduler")
                      .arg(kRolePassword)))
        m_error = QStringLiteral("cannot create the scheduler's login role");
}

CronCluster::~CronCluster()
{
    DatabaseConnection::close(QStringLiteral("cron-cluster"));
    if (m_started)
        runScript(QStringLiteral("stop"), m_envFile);
}

ConnectionSettings CronCluster::schedulerRole() const
{
    const auto role = ConnectionSettings::parse(
            settings().libpqKeywordString()
            + QStringLiteral(" user=callops_engine_login password='%1'").arg(kRolePassword));
    return role ? *role : ConnectionSettings();
}

QSqlDatabase CronCluster::connection() const
{
    auto db = DatabaseConnection::open(settings(), QStringLiteral("cron-cluster"));
    if (!db)
        qWarning("CronCluster: %s", qPrintable(db.error()));
    return db ? *db : QSqlDatabase();
}

bool CronCluster::exec(const QString &sql) const
{
    QSqlQuery query(connection());
    if (!query.exec(sql)) {
        qWarning("CronCluster: %s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
        return false;
    }
    return true;
}

qint64 CronCluster::scheduleGuideJob(const QString &name) const
{
    QSqlQuery query(connection());
    // The guide's Step 6.1, word for word but for the name.
    query.prepare(QStringLiteral(
            "SELECT cron.schedule(:name, '*/5 * * * *', $$\n"
            "  SELECT http.post(\n"
            "    current_setting('app.settings.supabase_url') || '/functions/v1/scheduler',\n"
            "    headers => jsonb_build_object(\n"
            "      'Authorization', 'Bearer ' || current_setting('app.settings.supabase_service_role_key'),\n"
            "      'Content-Type', 'application/json'\n"
            "    ),\n"
            "    body => '{}'::jsonb,\n"
            "    timeout_milliseconds => 55000\n"
            "  );\n"
            "  $$)"));
    query.bindValue(QStringLiteral(":name"), name);
    if (!query.exec() || !query.next()) {
        qWarning("CronCluster: cron.schedule: %s", qPrintable(query.lastError().text()));
        return 0;
    }
    return query.value(0).toLongLong();
}

} // namespace callops::test
