#include "TestData.h"
#include "TestDatabase.h"
#include "db/Migrator.h"
#include "workflow/WorkflowState.h"

#include <QProcess>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

using namespace callops;
using namespace callops::test;

namespace {

struct CliRun
{
    int exitCode = -1;
    QString output;
};

CliRun runCallops(const QStringList &args,
                  const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    QProcess process;
    process.setProcessEnvironment(env);
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral(CALLOPS_BINARY), args);
    if (!process.waitForFinished(120000))
        process.kill();
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAll())};
}

} // namespace

class TestMigrator : public QObject
{
    Q_OBJECT

private slots:
    void freshDatabase();
    void freshDatabaseTwiceFromTheCommandLine();
    void upgradesPreStep1DatabaseInPlace();
    void upgradesADatabaseThatFollowedTheGuideByHand();
    void failingMigrationRollsBackAndNamesItself();
    void concurrentMigratorsDoNotRace();
    void checkConstraintMatchesWorkflowCore();
    void olderAndNewerProgramsAreToldApart();
};

void TestMigrator::freshDatabase()
{
    TestDatabase database("fresh");
    QVERIFY2(database.isValid(), qPrintable(database.error()));
    QSqlDatabase db = database.connection();
    Migrator migrator(db);
    const QList<Migration> all = Migrator::builtInMigrations();
    QVERIFY(all.size() >= 5);

    const auto applied = migrator.migrate();
    QVERIFY2(applied.ok(), qPrintable(applied.error()));
    QCOMPARE(applied->size(), all.size());
    QVERIFY(migrator.schemaState()->missing.isEmpty());
    QVERIFY(migrator.schemaState()->unknown.isEmpty());

    for (const char *table :
         {"pending_calls", "call_classifications", "call_sessions", "workflow_events", "schema_migrations"}) {
        QVERIFY2(scalar(db, QStringLiteral("SELECT to_regclass('%1') IS NOT NULL").arg(QLatin1String(table)))
                         .toBool(),
                 table);
    }
    QVERIFY(scalar(db, "SELECT to_regclass('idx_pending_calls_scheduler') IS NOT NULL").toBool());
    QVERIFY(scalar(db, "SELECT to_regclass('scheduler_dashboard') IS NOT NULL").toBool());

    const auto again = migrator.migrate();
    QVERIFY2(again.ok(), qPrintable(again.error()));
    QVERIFY(again->isEmpty());
    QCOMPARE(scalar(db, "SELECT count(*) FROM schema_migrations").toInt(), all.size());
}

void TestMigrator::freshDatabaseTwiceFromTheCommandLine()
{
    TestDatabase database("cli_fresh");
    QVERIFY2(database.isValid(), qPrintable(database.error()));
    for (int run = 0; run < 2; ++run) {
        const CliRun result = runCallops({"--migrate", "--db", database.url()});
        QVERIFY2(result.exitCode == 0, qPrintable(result.output));
        QVERIFY2(!result.output.contains(database.cluster().superuser().password()), "password in output");
        if (run == 1)
            QVERIFY2(result.output.contains("up to date"), qPrintable(result.output));
    }
    // DATABASE_URL works as well as --db.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("DATABASE_URL", database.url());
    const CliRun viaEnv = runCallops({"--migrate"}, env);
    QVERIFY2(viaEnv.exitCode == 0, qPrintable(viaEnv.output));
}

void TestMigrator::upgradesPreStep1DatabaseInPlace()
{
    TestDatabase database("upgrade");
    QVERIFY2(database.isValid(), qPrintable(database.error()));
    QString output;
    QCOMPARE(database.psql(testData("pre_step1_schema.sql"), &output), 0);

    for (int run = 0; run < 2; ++run) {
        const CliRun result = runCallops({"--migrate", "--db", database.url()});
        QVERIFY2(result.exitCode == 0, qPrintable(result.output));
    }

    QSqlDatabase db = database.connection();
    QCOMPARE(scalar(db, "SELECT count(*) FROM pending_calls").toInt(), 3);
    QCOMPARE(scalar(db, "SELECT count(*) FROM call_classifications").toInt(), 1);
    QCOMPARE(scalar(db, "SELECT count(*) FROM call_sessions").toInt(), 1);
    // Existing rows keep their data...
    QCOMPARE(scalar(db, "SELECT employee_name FROM pending_calls WHERE exam_id = 'EX-2'").toString(),
             QStringLiteral("Bo Chen"));
    QCOMPARE(scalar(db, "SELECT phone FROM pending_calls WHERE exam_id = 'EX-2'").toString(),
             QStringLiteral("(555) 555-0101"));
    QCOMPARE(scalar(db,
                    "SELECT updated_at < now() - interval '2 days' FROM pending_calls WHERE exam_id = 'EX-1'")
                     .toBool(),
             true);
    // ...and get the Step 1 defaults.
    QCOMPARE(scalar(db,
                    "SELECT count(*) FROM pending_calls WHERE workflow_state = 'new' AND retry_count = 0 "
                    "AND max_retries = 3 AND next_action_at IS NOT NULL AND workflow_metadata = '{}'::jsonb")
                     .toInt(),
             3);
    QVERIFY(scalar(db, "SELECT count(*) FROM pg_constraint WHERE conname = 'valid_workflow_state'").toInt()
            == 1);
    QVERIFY(scalar(db, "SELECT to_regclass('idx_pending_calls_scheduler') IS NOT NULL").toBool());
    QVERIFY(scalar(db,
                   "SELECT count(*) FROM information_schema.columns WHERE table_name = 'pending_calls' "
                   "AND column_name IN ('failed_at', 'failure_reason')")
                    .toInt()
            == 2);

    // The constraint holds for old rows too.
    QSqlQuery bad(db);
    QVERIFY(!bad.exec("UPDATE pending_calls SET workflow_state = 'bogus' WHERE exam_id = 'EX-1'"));
}

void TestMigrator::upgradesADatabaseThatFollowedTheGuideByHand()
{
    TestDatabase database("guide_by_hand");
    QVERIFY2(database.isValid(), qPrintable(database.error()));
    QString output;
    QCOMPARE(database.psql(testData("pre_step1_schema.sql"), &output), 0);
    for (const char *file :
         {"guide/step1_schema.sql", "guide/step8_2_view.sql", "guide/step8_3_columns.sql"}) {
        const int code = database.psql(testData(QString::fromLatin1(file)), &output);
        QVERIFY2(code == 0, qPrintable(QStringLiteral("%1: %2").arg(QLatin1String(file), output)));
    }
    QVERIFY2(database.migrate(), qPrintable(database.error()));
    QSqlDatabase db = database.connection();
    QCOMPARE(scalar(db, "SELECT count(*) FROM pending_calls WHERE workflow_state = 'new'").toInt(), 3);
    QVERIFY(scalar(db, "SELECT to_regclass('workflow_events') IS NOT NULL").toBool());
}

void TestMigrator::failingMigrationRollsBackAndNamesItself()
{
    TestDatabase database("failing");
    QVERIFY2(database.isValid(), qPrintable(database.error()));
    QSqlDatabase db = database.connection();

    QList<Migration> migrations = Migrator::builtInMigrations();
    migrations.append({"9998", "9998_good.sql", "CREATE TABLE good_part (x int);"});
    migrations.append(
            {"9999", "9999_broken.sql",
             "CREATE TABLE half_done (x int); INSERT INTO half_done VALUES (1); SELECT no_such_function();"});
    Migrator migrator(db, migrations);
    const auto result = migrator.migrate();
    QVERIFY(!result.ok());
    QVERIFY2(result.error().contains("9999_broken.sql"), qPrintable(result.error()));
    QVERIFY2(result.error().contains("no_such_function"), qPrintable(result.error()));

    // Everything before it stands; nothing of it does.
    QVERIFY(scalar(db, "SELECT to_regclass('good_part') IS NOT NULL").toBool());
    QVERIFY(scalar(db, "SELECT to_regclass('half_done') IS NULL").toBool());
    QCOMPARE(scalar(db, "SELECT count(*) FROM schema_migrations WHERE version = '9999'").toInt(), 0);
    QCOMPARE(scalar(db, "SELECT count(*) FROM schema_migrations WHERE version = '9998'").toInt(), 1);
    QCOMPARE(migrator.schemaState()->missing, QStringList{"9999"});

    // The connection is usable afterwards, and the lock was released: a second migrator gets it.
    Migrator fixed(database.connection("second"), Migrator::builtInMigrations());
    QVERIFY2(fixed.migrate().ok(), "lock left held");
}

// Mid-way through an upgrade, programs and databases of different versions meet. A scheduler on
// a database it was not migrated for found out by its first failing statement; one older than its
// database, and --migrate run by it ("up to date"), said nothing at all.
void TestMigrator::olderAndNewerProgramsAreToldApart()
{
    TestDatabase database("versions");
    QVERIFY2(database.isValid(), qPrintable(database.error()));
    QSqlDatabase db = database.connection();
    const QList<Migration> all = Migrator::builtInMigrations();
    QStringList versions;
    for (const Migration &migration : all)
        versions.append(migration.version);

    // Not migrated at all; looking creates nothing.
    auto state = Migrator(db).schemaState();
    QVERIFY2(state.ok(), qPrintable(state.error()));
    QVERIFY(state->noneRecorded);
    QCOMPARE(state->missing, versions);
    QVERIFY(state->unknown.isEmpty());
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("SUPABASE_URL", "http://127.0.0.1:9");
    env.insert("SUPABASE_SERVICE_ROLE_KEY", "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.sig");
    env.insert("CALLOPS_CALLING_HOURS", "mon-sun 00:00-24:00");
    CliRun run = runCallops({"--no-gui", "--once", "--db", database.url()}, env);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.output.contains("has no CallOps tables yet: run callops --migrate"), qPrintable(run.output));
    QVERIFY(scalar(db, "SELECT to_regclass('schema_migrations') IS NULL").toBool());

    // Migrated by an older CallOps: the migrations it lacks, named.
    QVERIFY(Migrator(db, all.mid(0, all.size() - 2)).migrate().ok());
    state = Migrator(db).schemaState();
    QVERIFY(!state->noneRecorded);
    QCOMPARE(state->missing, versions.mid(versions.size() - 2));
    run = runCallops({"--no-gui", "--once", "--db", database.url()}, env);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(
            run.output.contains(QStringLiteral("lacks CallOps migrations %1").arg(state->missing.join(", "))),
            qPrintable(run.output));

    // Migrated by a newer CallOps: this one runs, and says it is behind, each time.
    QVERIFY(Migrator(db).migrate().ok());
    QVERIFY(scalar(db,
                   "INSERT INTO schema_migrations (version, name, checksum) "
                   "VALUES ('9999', '9999_from_the_future.sql', 'x') RETURNING version")
                    .isValid());
    state = Migrator(db).schemaState();
    QVERIFY(state->missing.isEmpty());
    QCOMPARE(state->unknown, QStringList{"9999"});
    const QString newer
            = QStringLiteral("was migrated by a newer CallOps (migrations 9999 are unknown to this one)");
    run = runCallops({"--no-gui", "--once", "--db", database.url()}, env);
    QVERIFY2(run.exitCode == 0, qPrintable(run.output));
    QVERIFY2(run.output.contains(newer), qPrintable(run.output));
    run = runCallops({"--migrate", "--db", database.url()}, env);
    QVERIFY2(run.exitCode == 0, qPrintable(run.output));
    QVERIFY2(run.output.contains("up to date") && run.output.contains(newer), qPrintable(run.output));
}

void TestMigrator::concurrentMigratorsDoNotRace()
{
    TestDatabase database("concurrent");
    QVERIFY2(database.isValid(), qPrintable(database.error()));
    QList<QProcess *> processes;
    for (int i = 0; i < 3; ++i) {
        auto *process = new QProcess(this);
        process->setProcessChannelMode(QProcess::MergedChannels);
        process->start(QStringLiteral(CALLOPS_BINARY), {"--migrate", "--db", database.url()});
        processes.append(process);
    }
    for (QProcess *process : processes) {
        QVERIFY(process->waitForFinished(120000));
        QVERIFY2(process->exitCode() == 0, process->readAll().constData());
    }
    QCOMPARE(scalar(database.connection(), "SELECT count(*) FROM schema_migrations").toInt(),
             Migrator::builtInMigrations().size());
    qDeleteAll(processes);
}

void TestMigrator::checkConstraintMatchesWorkflowCore()
{
    TestDatabase database("constraint");
    QVERIFY2(database.isValid() && database.migrate(), qPrintable(database.error()));
    QSqlDatabase db = database.connection();
    // Every state the core knows is accepted by the database, and nothing else is.
    for (WorkflowState state : workflow::knownStates()) {
        QSqlQuery insert(db);
        insert.prepare("INSERT INTO pending_calls (exam_id, workflow_state) VALUES ('C', ?)");
        insert.addBindValue(workflow::stateName(state));
        QVERIFY2(insert.exec(), qPrintable(insert.lastError().text()));
    }
    QSqlQuery unknown(db);
    unknown.prepare("INSERT INTO pending_calls (exam_id, workflow_state) VALUES ('C', ?)");
    unknown.addBindValue(QStringLiteral("on_hold"));
    QVERIFY(!unknown.exec());
}

QTEST_GUILESS_MAIN(TestMigrator)
#include "TestMigrator.moc"
