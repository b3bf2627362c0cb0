// Least privilege (migration 0020): log in as users that are members of callops_scheduler and
// callops_dispatcher and show what each can and cannot do. The scheduler runs the real engine
// (callops --no-gui --once) and records an outcome; the dispatcher reads but cannot change calls
// directly, and nobody but the owner can write or erase history.
#include "ChildProcesses.h"
#include "ContractServer.h"
#include "SignalArrival.h"
#include "TestDatabase.h"
#include "console/ConsoleRepository.h"
#include "console/ConsoleWorker.h"
#include "db/DatabaseConnection.h"
#include "scheduler/OutcomeRecorder.h"
#include "scheduler/SchedulerEngine.h"
#include "scheduler/SchedulerPresence.h"
#include "scheduler/SchedulerThread.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

using namespace callops;
using namespace callops::test;

namespace {

QString uniqueSuffix()
{
    return QStringLiteral("%1_%2")
            .arg(QCoreApplication::applicationPid())
            .arg(QRandomGenerator::global()->generate() & 0xffffff, 6, 16, QLatin1Char('0'));
}

struct Attempt
{
    bool ok = false;
    QString sqlState;
    QString error;
};

Attempt run(QSqlDatabase db, const QString &sql, const QVariantList &values = {})
{
    QSqlQuery query(db);
    Attempt attempt;
    if (values.isEmpty()) {
        attempt.ok = query.exec(sql); // not prepared: TRUNCATE cannot be
    } else {
        query.prepare(sql);
        for (const QVariant &value : values)
            query.addBindValue(value);
        attempt.ok = query.exec();
    }
    attempt.sqlState = query.lastError().nativeErrorCode();
    attempt.error = query.lastError().text();
    return attempt;
}

} // namespace

class TestRoles : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void groupRolesExistWithoutLogin();
    void dispatcherReadsButCannotWrite_data();
    void dispatcherReadsButCannotWrite();
    void dispatcherReadsWhatTheConsoleShows();
    void dispatcherAppliesManualActions();
    void consoleWorksAsADispatcher();
    void consoleAsARoleThatMayNotReadSaysSo();
    void searchAndFiltersAreParameterised_data();
    void searchAndFiltersAreParameterised();
    void schedulerRunsTheEngine();
    void schedulerWithoutItsGrantsIsToldWhatToGrant();
    void checkSaysWhetherTheSchedulerCouldRun();
    void schedulerCannotTouchHistory_data();
    void schedulerCannotTouchHistory();
    void historyCannotBeForgedByOthers();
    void supabaseApiGetsNothingOfTheSchedulersTables();

private:
    QSqlDatabase loginAs(const QString &user, const QString &purpose);
    // The test cluster's database, logged in as this user (password, TCP).
    ConnectionSettings loginSettings(const QString &user) const;
    QString loginUrl(const QString &user) const;
    // Drops a login a test made, with its sessions and what was granted to it.
    void dropLogin(const QString &role);
    QString seedCall(const QString &state, const QString &phone);

    std::unique_ptr<TestDatabase> m_db;
    QString m_scheduler;
    QString m_dispatcher;
    QString m_nobody;
    const QString m_password = QStringLiteral("Role-Test-Pw-7731");
};

void TestRoles::initTestCase()
{
    m_db = std::make_unique<TestDatabase>("roles");
    QVERIFY2(m_db->isValid() && m_db->migrate(), qPrintable(m_db->error()));
    const QString suffix = uniqueSuffix();
    m_scheduler = "callops_t_scheduler_" + suffix;
    m_dispatcher = "callops_t_dispatcher_" + suffix;
    m_nobody = "callops_t_nobody_" + suffix;
    // Role names are made here from [a-z0-9_] and cannot be bound; the password is a literal.
    const QString sql = QStringLiteral("CREATE ROLE %1 LOGIN PASSWORD '%4' IN ROLE callops_scheduler; "
                                       "CREATE ROLE %2 LOGIN PASSWORD '%4' IN ROLE callops_dispatcher; "
                                       "CREATE ROLE %3 LOGIN PASSWORD '%4';")
                                .arg(m_scheduler, m_dispatcher, m_nobody, m_password);
    QString output;
    QCOMPARE(m_db->psql(sql, &output), 0);
}

void TestRoles::cleanupTestCase()
{
    for (const QString &name : QSqlDatabase::connectionNames()) {
        if (name.contains("as-"))
            QSqlDatabase::removeDatabase(name);
    }
    if (m_db && !m_scheduler.isEmpty()) {
        const QString drop
                = QStringLiteral("DROP ROLE IF EXISTS %1; DROP ROLE IF EXISTS %2; DROP ROLE IF EXISTS %3;")
                          .arg(m_scheduler, m_dispatcher, m_nobody);
        m_db->psql(QStringLiteral("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename IN "
                                  "('%1', '%2', '%3')")
                           .arg(m_scheduler, m_dispatcher, m_nobody));
        m_db->psql(drop);
    }
    m_db.reset();
}

ConnectionSettings TestRoles::loginSettings(const QString &user) const
{
    const ConnectionSettings settings = m_db->settings();
    auto parsed = ConnectionSettings::parse(
            QStringLiteral("host=%1 port=%2 dbname=%3 user=%4 password=%5 sslmode=disable")
                    .arg(settings.host())
                    .arg(settings.port())
                    .arg(settings.databaseName(), user, m_password));
    if (!parsed)
        qWarning("%s", qPrintable(parsed.error()));
    return parsed ? *parsed : ConnectionSettings{};
}

QString TestRoles::loginUrl(const QString &user) const
{
    const ConnectionSettings settings = m_db->settings();
    return QStringLiteral("postgresql://%1:%2@%3:%4/%5?sslmode=disable")
            .arg(user, m_password, settings.host())
            .arg(settings.port())
            .arg(settings.databaseName());
}

void TestRoles::dropLogin(const QString &role)
{
    m_db->psql(QStringLiteral("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '%1'")
                       .arg(role));
    m_db->psql(QStringLiteral("DROP OWNED BY %1; DROP ROLE IF EXISTS %1").arg(role));
}

QSqlDatabase TestRoles::loginAs(const QString &user, const QString &purpose)
{
    auto db = DatabaseConnection::open(loginSettings(user), "as-" + purpose);
    if (!db) {
        qWarning("%s", qPrintable(db.error()));
        return {};
    }
    return *db;
}

QString TestRoles::seedCall(const QString &state, const QString &phone)
{
    QSqlQuery query(m_db->connection());
    query.prepare(
            "INSERT INTO pending_calls (exam_id, employee_name, employee_dob, phone, workflow_state, "
            "next_action_at) VALUES ('EX-R', 'Rosalind Testperson', '1961-04-12', ?, ?, now() - interval "
            "'1 minute') RETURNING id");
    query.addBindValue(phone);
    query.addBindValue(state);
    if (!query.exec() || !query.next()) {
        qWarning("%s", qPrintable(query.lastError().text()));
        return {};
    }
    return query.value(0).toString();
}

void TestRoles::groupRolesExistWithoutLogin()
{
    QSqlQuery query(m_db->connection());
    QVERIFY(query.exec("SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname IN ('callops_scheduler', "
                       "'callops_dispatcher') ORDER BY rolname"));
    QStringList roles;
    while (query.next()) {
        roles << query.value(0).toString();
        QVERIFY(!query.value(1).toBool());
    }
    QCOMPARE(roles, QStringList({"callops_dispatcher", "callops_scheduler"}));
    // Migrating a second database of the same cluster finds the roles there and goes on.
    TestDatabase second("roles_again");
    QVERIFY2(second.isValid() && second.migrate(), qPrintable(second.error()));
}

void TestRoles::dispatcherReadsButCannotWrite_data()
{
    QTest::addColumn<QString>("sql");
    QTest::newRow("update pending_calls") << "UPDATE pending_calls SET workflow_state = 'completed'";
    QTest::newRow("update one column") << "UPDATE pending_calls SET next_action_at = now()";
    QTest::newRow("delete pending_calls") << "DELETE FROM pending_calls";
    QTest::newRow("insert pending_calls") << "INSERT INTO pending_calls (phone) VALUES ('+12127365000')";
    QTest::newRow("truncate pending_calls") << "TRUNCATE pending_calls";
    QTest::newRow("insert history") << "INSERT INTO workflow_events (pending_call_id, to_state, actor) "
                                       "SELECT id, 'completed', 'forged' FROM pending_calls";
    QTest::newRow("update history") << "UPDATE workflow_events SET actor = 'someone else'";
    QTest::newRow("delete history") << "DELETE FROM workflow_events";
    QTest::newRow("insert classification") << "INSERT INTO call_classifications (phone_number, "
                                              "classification_type) VALUES ('+12127365000', 'human')";
    QTest::newRow("record an outcome") << "SELECT * FROM callops_record_task_result("
                                          "(SELECT id FROM pending_calls LIMIT 1), 1, true)";
    QTest::newRow("record outcomes in a batch")
            << "SELECT * FROM callops_record_task_results((SELECT jsonb_agg(jsonb_build_object('id', id, "
               "'attempt', 1, 'success', true)) FROM pending_calls))";
    QTest::newRow("start calls") << "SELECT * FROM callops_record_classification("
                                    "(SELECT id FROM pending_calls LIMIT 1), 1, 'human')";
    // The consoles show which schedulers run: a dispatcher cannot make one up or hide one.
    QTest::newRow("claim a scheduler runs")
            << "INSERT INTO callops_scheduler_presence (scheduler_id, host, pid, started_at, seen_at) "
               "VALUES ('made-up', 'nowhere', 1, now(), now())";
    QTest::newRow("hide a scheduler") << "DELETE FROM callops_scheduler_presence";
}

void TestRoles::dispatcherReadsButCannotWrite()
{
    QFETCH(QString, sql);
    const QString id = seedCall("ready_to_call", "+1 212-736-5001");
    QVERIFY(!id.isEmpty());
    QSqlDatabase db = loginAs(m_dispatcher, "dispatcher");
    QVERIFY(db.isOpen());
    const Attempt attempt = run(db, sql);
    QVERIFY2(!attempt.ok, qPrintable(sql));
    QCOMPARE(attempt.sqlState, QStringLiteral("42501")); // insufficient_privilege
    // Nothing changed.
    QSqlQuery check(m_db->connection());
    QVERIFY(check.exec(QStringLiteral("SELECT workflow_state FROM pending_calls WHERE id = '%1'").arg(id)));
    QVERIFY(check.next());
    QCOMPARE(check.value(0).toString(), QStringLiteral("ready_to_call"));
}

void TestRoles::dispatcherReadsWhatTheConsoleShows()
{
    seedCall("new", "+1 212-736-5002");
    QSqlDatabase db = loginAs(m_dispatcher, "dispatcher-read");
    QVERIFY(db.isOpen());
    for (const QString &sql : {QStringLiteral("SELECT count(*) FROM pending_calls"),
                               QStringLiteral("SELECT count(*) FROM workflow_events"),
                               QStringLiteral("SELECT count(*) FROM call_classifications"),
                               QStringLiteral("SELECT count(*) FROM call_sessions"),
                               QStringLiteral("SELECT * FROM scheduler_dashboard"),
                               QStringLiteral("SELECT count(*) FROM callops_scheduler_presence")}) {
        const Attempt attempt = run(db, sql);
        QVERIFY2(attempt.ok, qPrintable(sql + ": " + attempt.error));
    }
    // Search parameters are bound: injection strings are just text that matches nothing.
    for (const QString &needle :
         {QStringLiteral("'; DROP TABLE pending_calls; --"), QStringLiteral("%' OR 1=1 --")}) {
        QSqlQuery query(db);
        query.prepare("SELECT count(*) FROM pending_calls WHERE employee_name ILIKE '%' || ? || '%' OR "
                      "exam_id = ?");
        query.addBindValue(needle);
        query.addBindValue(needle);
        QVERIFY2(query.exec() && query.next(), qPrintable(query.lastError().text()));
        QCOMPARE(query.value(0).toInt(), 0);
    }
    QVERIFY(run(db, "SELECT 1 FROM pending_calls LIMIT 1").ok);
}

void TestRoles::dispatcherAppliesManualActions()
{
    const QString ready = seedCall("ready_to_call", "+1 212-736-5020");
    const QString completed = seedCall("completed", "+1 212-736-5021");
    QSqlDatabase db = loginAs(m_dispatcher, "dispatcher-act");
    QVERIFY(db.isOpen());
    // Allowed: Mark failed from ready_to_call, through the function, recorded as the dispatcher.
    QSqlQuery act(db);
    QVERIFY(act.prepare("SELECT id, from_state, to_state FROM callops_apply_manual_action('mark_failed', "
                        "ARRAY[?, ?]::uuid[], 'clinic closed for good', 'Ana (dispatcher)')"));
    act.addBindValue(ready);
    act.addBindValue(completed);
    QVERIFY2(act.exec(), qPrintable(act.lastError().text()));
    QStringList moved;
    while (act.next())
        moved << act.value(0).toString() + ':' + act.value(1).toString() + "->" + act.value(2).toString();
    // Not allowed from completed: the function leaves that row alone.
    QCOMPARE(moved, QStringList{ready + ":ready_to_call->failed"});
    QSqlQuery history(m_db->connection());
    QVERIFY(history.exec(
            QStringLiteral("SELECT actor, reason, detail->>'database_user', detail->>'event' FROM "
                           "workflow_events WHERE pending_call_id = '%1' ORDER BY id DESC LIMIT 1")
                    .arg(ready)));
    QVERIFY(history.next());
    QCOMPARE(history.value(0).toString(), QStringLiteral("Ana (dispatcher)"));
    QCOMPARE(history.value(1).toString(), QStringLiteral("clinic closed for good"));
    QCOMPARE(history.value(2).toString(), m_dispatcher);
    QCOMPARE(history.value(3).toString(), QStringLiteral("manual_mark_failed"));
    // The filter-wide companion and its count run too.
    const Attempt count = run(db,
                              "SELECT callops_count_matching(ARRAY['failed'], NULL, NULL, NULL, NULL, NULL, "
                              "NULL::text[], NULL::int[])");
    QVERIFY2(count.ok, qPrintable(count.error));
    const Attempt filter
            = run(db,
                  "SELECT * FROM callops_apply_manual_action_to_filter('retry_now', ARRAY['failed'], "
                  "NULL, NULL, NULL, NULL, NULL, NULL::text[], NULL::int[], 'try again', 'Ana')");
    QVERIFY2(filter.ok, qPrintable(filter.error));
    QSqlQuery state(m_db->connection());
    QVERIFY(state.exec(
            QStringLiteral("SELECT workflow_state FROM pending_calls WHERE id = '%1'").arg(ready)));
    QVERIFY(state.next());
    QCOMPARE(state.value(0).toString(), QStringLiteral("new"));
    // The scheduler and a user with no role cannot call them.
    for (const QString &user : {m_scheduler, m_nobody}) {
        QSqlDatabase other = loginAs(user, "act-" + user);
        QVERIFY(other.isOpen());
        const Attempt denied = run(other,
                                   QStringLiteral("SELECT * FROM callops_apply_manual_action('mark_failed', "
                                                  "ARRAY['%1']::uuid[], 'x', 'x')")
                                           .arg(completed));
        QVERIFY2(!denied.ok && denied.sqlState == QStringLiteral("42501"),
                 qPrintable(user + ": " + denied.error));
    }
}

void TestRoles::consoleWorksAsADispatcher()
{
    const QString id = seedCall("retry_pending", "+1 212-736-5030");
    QSqlDatabase db = loginAs(m_dispatcher, "dispatcher-console");
    QVERIFY(db.isOpen());
    ConsoleRepository repository(db);
    QVERIFY2(repository.stateCounts().ok(), qPrintable(repository.stateCounts().error()));
    const auto page = repository.page(CallFilter{}, CallSort{}, 0, 50);
    QVERIFY2(page.ok(), qPrintable(page.error()));
    QVERIFY(!page->isEmpty());
    QVERIFY2(repository.history(id).ok(), qPrintable(repository.history(id).error()));
    QVERIFY2(repository.clinics().ok(), qPrintable(repository.clinics().error()));
    QVERIFY2(repository.failureReasons().ok(), qPrintable(repository.failureReasons().error()));
    const ActionOutcome outcome = repository.apply(ManualAction::MarkFailed, {id}, "wrong number", "Ana");
    QVERIFY2(outcome.ok(), qPrintable(outcome.error));
    QCOMPARE(outcome.changed(), qint64(1));
}

// A console logged in as a role without the dispatcher's grants failed every read, reconnected at
// each failure and failed again: dozens of sessions a second, under "the database cannot be reached".
void TestRoles::consoleAsARoleThatMayNotReadSaysSo()
{
    const QString reader = "callops_t_reader_" + uniqueSuffix();
    QString output;
    QCOMPARE(
            m_db->psql(QStringLiteral("CREATE ROLE %1 LOGIN PASSWORD '%2'").arg(reader, m_password), &output),
            0);
    const auto dropReader = qScopeGuard([&] { dropLogin(reader); });
    const QString url = loginUrl(reader);
    ConsoleWorker worker;
    const auto closeWorker = qScopeGuard([&] { worker.closeDatabase(); }); // before the role goes
    QSignalSpy connection(&worker, &ConsoleWorker::connectionChanged);
    QSignalSpy counts(&worker, &ConsoleWorker::countsLoaded);
    QSignalSpy errors(&worker, &ConsoleWorker::errorOccurred);
    worker.openDatabase(url);
    QVERIFY(!connection.isEmpty());
    QCOMPARE(connection.last().at(0).toBool(), false);
    QCOMPARE(connection.last().at(2).value<ConnectionProblem>(), ConnectionProblem::NotPermitted);
    const QString message = connection.last().at(1).toString();
    QVERIFY2(message.contains(
                     "may not read pending_calls, workflow_events, call_classifications, call_sessions")
                     && message.contains("callops_dispatcher"),
             qPrintable(message));
    for (int i = 0; i < 3; ++i) {
        worker.refreshCounts();
        worker.loadFilterOptions();
    }
    QVERIFY2(errors.isEmpty(), qPrintable(errors.value(0).value(0).toString()));

    // Made a dispatcher meanwhile: a request after the pause between attempts connects by itself.
    QCOMPARE(m_db->psql(QStringLiteral("GRANT callops_dispatcher TO %1").arg(reader), &output), 0);
    QTest::qWait(3500);
    worker.refreshCounts();
    QVERIFY(connection.last().at(0).toBool());
    QCOMPARE(counts.size(), 1);

    // The grant taken back while connected: the read fails and says why, and the session, which
    // still answers, is kept rather than opened again at every failing request.
    QCOMPARE(m_db->psql(QStringLiteral("REVOKE callops_dispatcher FROM %1").arg(reader), &output), 0);
    const qsizetype connectionNews = connection.size();
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression("permission denied for table pending_calls"));
    worker.refreshCounts();
    QCOMPARE(counts.size(), 1);
    QVERIFY2(errors.size() == 1 && errors.first().at(0).toString().contains("permission denied"),
             qPrintable(errors.value(0).value(0).toString()));
    QCOMPARE(connection.size(), connectionNews);
}

void TestRoles::searchAndFiltersAreParameterised_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("drop table") << "'; DROP TABLE pending_calls; --";
    QTest::newRow("or 1=1") << "%' OR 1=1 --";
    QTest::newRow("quote and backslash") << "\\'; DELETE FROM workflow_events; --";
    QTest::newRow("dollar quote") << "$$; TRUNCATE pending_calls; $$";
}

void TestRoles::searchAndFiltersAreParameterised()
{
    QFETCH(QString, text);
    const QString id = seedCall("ready_to_call", "+1 212-736-5040");
    QSqlDatabase db = loginAs(m_dispatcher, "dispatcher-search");
    QVERIFY(db.isOpen());
    const qint64 rows = scalar(m_db->connection(), "SELECT count(*) FROM pending_calls").toLongLong();
    const qint64 events = scalar(m_db->connection(), "SELECT count(*) FROM workflow_events").toLongLong();
    ConsoleRepository repository(db);
    CallFilter filter;
    filter.search = text;
    const auto counted = repository.count(filter);
    QVERIFY2(counted.ok(), qPrintable(counted.error()));
    QCOMPARE(*counted, qint64(0));
    filter = CallFilter{};
    filter.clinic = text;
    filter.failureReason = text;
    const auto page = repository.page(filter, CallSort{}, 0, 10);
    QVERIFY2(page.ok(), qPrintable(page.error()));
    QVERIFY(page->isEmpty());
    QVERIFY(repository.searchHistory(text).ok());
    // A bulk action over a filter that is an injection string touches nothing.
    filter = CallFilter{};
    filter.search = text;
    const ActionOutcome outcome = repository.applyToFilter(ManualAction::MarkFailed, filter, "x", "Ana");
    QVERIFY2(outcome.ok(), qPrintable(outcome.error));
    QCOMPARE(outcome.changed(), qint64(0));
    // Everything is still there and unchanged.
    QCOMPARE(scalar(m_db->connection(), "SELECT count(*) FROM pending_calls").toLongLong(), rows);
    QCOMPARE(scalar(m_db->connection(), "SELECT count(*) FROM workflow_events").toLongLong(), events);
    QCOMPARE(scalar(m_db->connection(),
                    QStringLiteral("SELECT workflow_state FROM pending_calls WHERE id = '%1'").arg(id))
                     .toString(),
             QStringLiteral("ready_to_call"));
}

void TestRoles::schedulerRunsTheEngine()
{
    QVERIFY(run(m_db->connection(), "DELETE FROM pending_calls").ok); // rows of the tests before
    const QString ready = seedCall("ready_to_call", "+1 212-736-5003");
    const QString fresh = seedCall("new", "+1 212-736-5004");
    ContractServer server;
    const QString url = loginUrl(m_scheduler);
    const OncePassRun once = runOncePass(QStringLiteral(CALLOPS_BINARY), url, server.baseUrl(),
                                         QStringLiteral("sb_secret_rolesTestKey"));
    QVERIFY2(once.exitCode == 0, once.err.constData());
    const QJsonObject body = QJsonDocument::fromJson(once.out).object();
    QCOMPARE(body.value("processed").toInt(), 2);
    QCOMPARE(server.received().size(), 1);
    QCOMPARE(server.received().first().pendingCallId, ready);

    // The outcome, recorded as the scheduler, moves the row and is in the history under its name.
    QSqlDatabase db = loginAs(m_scheduler, "scheduler");
    QVERIFY(db.isOpen());
    // What a continuous engine writes for the consoles, the scheduler's login may write.
    const SchedulerPresence presence(db, QStringLiteral("roles-test"), {});
    const auto reported = presence.report({});
    QVERIFY2(reported.ok(), qPrintable(reported.error));
    const auto withdrawn = presence.withdraw();
    QVERIFY2(withdrawn.ok(), qPrintable(withdrawn.error));
    OutcomeRecorder recorder(db);
    const auto applied
            = recorder.recordTaskResult(ready, server.received().first().attempt, TaskResult::Success);
    QVERIFY2(applied.ok(), qPrintable(applied.error()));
    QVERIFY(applied->moved);
    QSqlQuery history(m_db->connection());
    QVERIFY(history.exec(
            QStringLiteral("SELECT string_agg(to_state || '/' || (detail->>'database_user'), ',' "
                           "ORDER BY id) FROM workflow_events WHERE pending_call_id = '%1'")
                    .arg(ready)));
    QVERIFY(history.next());
    const QString path = history.value(0).toString();
    QVERIFY2(path.endsWith(QStringLiteral("calling/%1,completed/%1").arg(m_scheduler)), qPrintable(path));
    // A stale outcome (old attempt) is kept in the history too, through the definer function,
    // alone or in a batch.
    const auto stale = recorder.recordTaskResult(ready, 0, TaskResult::Failure);
    QVERIFY2(stale.ok() && !stale->moved, qPrintable(stale.error()));
    const auto staleInBatch = recorder.recordTaskResults({{ready, 0, TaskResult::Failure, {}}});
    QVERIFY2(staleInBatch.ok() && !staleInBatch->first().moved, qPrintable(staleInBatch.error()));
    // The fresh row went on by the engine's own moves.
    QSqlQuery state(m_db->connection());
    QVERIFY(state.exec(
            QStringLiteral("SELECT workflow_state FROM pending_calls WHERE id = '%1'").arg(fresh)));
    QVERIFY(state.next());
    QCOMPARE(state.value(0).toString(), QStringLiteral("needs_classification"));
    // Rescue works as the scheduler.
    QVERIFY(run(db, "SELECT * FROM callops_rescue_inflight(600)").ok);
}

void TestRoles::schedulerWithoutItsGrantsIsToldWhatToGrant()
{
    // A dispatcher's login in the scheduler's settings (a slip): it may read the calls, so it
    // got past every check and failed each pass with "permission denied". It must be told which
    // role to log in as, change nothing, and go on by itself once granted.
    QVERIFY(run(m_db->connection(), "DELETE FROM pending_calls").ok); // rows of the tests before
    const QString ready = seedCall("ready_to_call", "+1 212-736-5005");
    ContractServer server;
    const QString url = loginUrl(m_dispatcher);
    const OncePassRun once = runOncePass(QStringLiteral(CALLOPS_BINARY), url, server.baseUrl(),
                                         QStringLiteral("sb_secret_rolesTestKey"));
    QCOMPARE(once.exitCode, 2);
    const QString err = QString::fromUtf8(once.err);
    QVERIFY2(err.contains(QStringLiteral("The database role %1 may not do what the scheduler does")
                                  .arg(m_dispatcher))
                     && err.contains("UPDATE pending_calls")
                     && err.contains("EXECUTE callops_record_task_result")
                     && err.contains(QStringLiteral("GRANT callops_scheduler TO %1").arg(m_dispatcher))
                     && !err.contains("permission denied"),
             qPrintable(err));
    QVERIFY(!err.contains("SELECT pending_calls")); // what it may do is not listed
    QCOMPARE(server.received().size(), 0);

    // The engine as the console's panel runs it: said once, looked at again, on by itself once
    // the login is granted the scheduler's role.
    const QString newcomer = "callops_t_newcomer_" + uniqueSuffix();
    QString output;
    QCOMPARE(m_db->psql(QStringLiteral("CREATE ROLE %1 LOGIN PASSWORD '%2' IN ROLE callops_dispatcher")
                                .arg(newcomer, m_password),
                        &output),
             0);
    const auto dropNewcomer = qScopeGuard([&] { dropLogin(newcomer); });
    SchedulerConfig config;
    config.database = loginSettings(newcomer);
    config.supabaseUrl = server.baseUrl();
    config.serviceKey = QStringLiteral("test-service-key");
    config.callsPerSecond = 0;
    config.callingHours = QStringLiteral("mon-sun 00:00-24:00");
    config.intervalSeconds = 1;
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression("may not do what the scheduler does"));
    SchedulerThread scheduler(config);
    QSignalSpy errors(scheduler.engine(), &SchedulerEngine::errorOccurred);
    QSignalSpy passes(scheduler.engine(), &SchedulerEngine::passFinished);
    scheduler.start();
    QVERIFY(arrives(errors, 20000));
    QVERIFY2(errors.first().at(0).toString().contains(
                     QStringLiteral("GRANT callops_scheduler TO %1").arg(newcomer)),
             qPrintable(errors.first().at(0).toString()));
    QTest::qWait(3500); // looked at again after 1 s and 2 s
    QCOMPARE(errors.size(), 1);
    QCOMPARE(passes.size(), 0);
    QCOMPARE(server.received().size(), 0);

    QCOMPARE(m_db->psql(QStringLiteral("GRANT callops_scheduler TO %1").arg(newcomer), &output), 0);
    QTRY_COMPARE_WITH_TIMEOUT(server.received().size(), 1, 20000);
    QCOMPARE(server.received().first().pendingCallId, ready);
    QCOMPARE(errors.size(), 1);
    QVERIFY(scheduler.stopAndWait(10000));
}

void TestRoles::checkSaysWhetherTheSchedulerCouldRun()
{
    // `callops --check`, before enabling the service: what --no-gui would find, without a call.
    ContractServer server;
    const QString key = QStringLiteral("sb_secret_rolesCheckKey");
    const QStringList check{QStringLiteral("--check")};
    const OncePassRun ready = runWithScheduler(QStringLiteral(CALLOPS_BINARY), loginUrl(m_scheduler),
                                               server.baseUrl(), key, check);
    const QString readyOut = QString::fromUtf8(ready.out);
    QVERIFY2(ready.exitCode == 0, qPrintable(readyOut + ready.err));
    QVERIFY2(readyOut.contains(QStringLiteral("ok   Connected to %1").arg(m_db->settings().host()))
                     && readyOut.contains("ok   The login may do what the scheduler does.")
                     && readyOut.contains("ok   The database has every migration of this CallOps.")
                     && readyOut.contains("with the key as apikey") && !readyOut.contains("FAIL")
                     && readyOut.contains(
                             QStringLiteral("ok   The call trigger's host answers at 127.0.0.1:%1.")
                                     .arg(server.baseUrl().port()))
                     && readyOut.trimmed().endsWith("Ready: callops --no-gui would place calls with these "
                                                    "settings."),
             qPrintable(readyOut));
    QVERIFY(!readyOut.contains(key) && !ready.err.contains(key.toUtf8()));
    QVERIFY(!readyOut.contains(m_password));
    QVERIFY2(!readyOut.contains("already running"), qPrintable(readyOut));

    // A scheduler already running there (a server's service) is named, and is no reason not to start.
    QVERIFY(run(m_db->connection(),
                "INSERT INTO callops_scheduler_presence (scheduler_id, host, pid, started_at, seen_at) "
                "VALUES ('srv-1:42:ab12', 'srv-1', 42, now() - interval '1 hour', now())")
                    .ok);
    const auto forget
            = qScopeGuard([&] { run(m_db->connection(), "DELETE FROM callops_scheduler_presence"); });
    const OncePassRun shared = runWithScheduler(QStringLiteral(CALLOPS_BINARY), loginUrl(m_scheduler),
                                                server.baseUrl(), key, check);
    const QString sharedOut = QString::fromUtf8(shared.out);
    QVERIFY2(shared.exitCode == 0, qPrintable(sharedOut + shared.err));
    QVERIFY2(
            sharedOut.contains("note Schedulers already running on this database: srv-1 (process 42, since "),
            qPrintable(sharedOut));

    // A dispatcher's login: every finding is printed, the grants' one failed.
    const OncePassRun wrongLogin = runWithScheduler(QStringLiteral(CALLOPS_BINARY), loginUrl(m_dispatcher),
                                                    server.baseUrl(), key, check);
    const QString wrongOut = QString::fromUtf8(wrongLogin.out);
    QCOMPARE(wrongLogin.exitCode, 2);
    QVERIFY2(wrongOut.contains(QStringLiteral("FAIL The database role %1 may not do what the scheduler does")
                                       .arg(m_dispatcher))
                     && wrongOut.contains("ok   The database has every migration of this CallOps.")
                     && wrongOut.trimmed().endsWith("fix what FAIL says above."),
             qPrintable(wrongOut));

    // The database is fine, the call trigger's address is not: not ready, and said which.
    const OncePassRun noTrigger = runWithScheduler(QStringLiteral(CALLOPS_BINARY), loginUrl(m_scheduler),
                                                   QUrl(QStringLiteral("http://127.0.0.1:1")), key, check);
    const QString noTriggerOut = QString::fromUtf8(noTrigger.out);
    QCOMPARE(noTrigger.exitCode, 1);
    QVERIFY2(noTriggerOut.contains("FAIL Cannot reach the call trigger at 127.0.0.1:1")
                     && noTriggerOut.contains("ok   The login may do what the scheduler does.")
                     && noTriggerOut.contains("Not ready"),
             qPrintable(noTriggerOut));

    // Nothing listens: worth another try later, as the service's own exit says.
    const OncePassRun unreachable = runWithScheduler(QStringLiteral(CALLOPS_BINARY),
                                                     QStringLiteral("postgresql://x@127.0.0.1:1/none"),
                                                     server.baseUrl(), key, check);
    QCOMPARE(unreachable.exitCode, 75);
    QVERIFY2(
            QString::fromUtf8(unreachable.out).contains("FAIL Cannot connect to the database at 127.0.0.1:1"),
            unreachable.out.constData());
    QCOMPARE(server.received().size(), 0);
}

void TestRoles::schedulerCannotTouchHistory_data()
{
    QTest::addColumn<QString>("sql");
    QTest::newRow("insert history") << "INSERT INTO workflow_events (pending_call_id, to_state, actor) "
                                       "SELECT id, 'completed', 'forged' FROM pending_calls";
    QTest::newRow("update history") << "UPDATE workflow_events SET reason = 'rewritten'";
    QTest::newRow("delete history") << "DELETE FROM workflow_events";
    QTest::newRow("truncate history") << "TRUNCATE workflow_events";
    QTest::newRow("delete calls") << "DELETE FROM pending_calls";
}

void TestRoles::schedulerCannotTouchHistory()
{
    QFETCH(QString, sql);
    seedCall("new", "+1 212-736-5005");
    QSqlDatabase db = loginAs(m_scheduler, "scheduler-history");
    QVERIFY(db.isOpen());
    const Attempt attempt = run(db, sql);
    QVERIFY2(!attempt.ok, qPrintable(sql));
    QCOMPARE(attempt.sqlState, QStringLiteral("42501"));
}

void TestRoles::historyCannotBeForgedByOthers()
{
    // A user with no CallOps role at all (PUBLIC only).
    QSqlDatabase db = loginAs(m_nobody, "nobody");
    QVERIFY(db.isOpen());
    for (const QString &sql :
         {QStringLiteral("INSERT INTO workflow_events (pending_call_id, to_state, actor) VALUES "
                         "(gen_random_uuid(), 'completed', 'forged')"),
          QStringLiteral("DELETE FROM workflow_events"),
          QStringLiteral("SELECT * FROM callops_record_task_result(gen_random_uuid(), 1, true)"),
          QStringLiteral("SELECT * FROM callops_record_task_results('[]')")}) {
        const Attempt attempt = run(db, sql);
        QVERIFY2(!attempt.ok, qPrintable(sql));
        QCOMPARE(attempt.sqlState, QStringLiteral("42501"));
    }
    // The trigger runs as the owner: it is SECURITY DEFINER with a fixed search_path.
    QSqlQuery query(m_db->connection());
    QVERIFY(query.exec("SELECT prosecdef, array_to_string(proconfig, ',') FROM pg_proc WHERE proname = "
                       "'callops_record_workflow_event'"));
    QVERIFY(query.next());
    QVERIFY(query.value(0).toBool());
    QVERIFY2(query.value(1).toString().startsWith("search_path="), qPrintable(query.value(1).toString()));
}

// Supabase grants every new table of the public schema to its API roles (default privileges). The
// consoles' list of running schedulers and the shared calls-per-second slot are not the API's: an
// API user could make up a scheduler, hide one, or push the slot ahead and stop every call.
void TestRoles::supabaseApiGetsNothingOfTheSchedulersTables()
{
    // Roles are the cluster's, and another suite may be creating them at the same moment.
    QString output;
    for (const char *role : {"anon", "authenticated"}) {
        QCOMPARE(m_db->psql(QStringLiteral(
                                    "DO $$ BEGIN CREATE ROLE %1 NOLOGIN; "
                                    "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$")
                                    .arg(QLatin1String(role)),
                            &output),
                 0);
    }
    TestDatabase supabase(QStringLiteral("supabase-defaults"));
    QVERIFY2(supabase.isValid(), qPrintable(supabase.error()));
    QCOMPARE(supabase.psql(
                     "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated",
                     &output),
             0);
    QVERIFY2(supabase.migrate(), qPrintable(supabase.error()));
    QSqlDatabase db = supabase.connection();
    auto may = [&](const char *role, const char *table, const char *privilege) {
        return scalar(db,
                      QStringLiteral("SELECT has_table_privilege('%1', '%2', '%3')")
                              .arg(QLatin1String(role), QLatin1String(table), QLatin1String(privilege)))
                .toBool();
    };
    // The default privileges took effect (the guide's tables are the API's, as on Supabase)...
    QVERIFY(may("anon", "pending_calls", "SELECT"));
    // ...and not on these.
    for (const char *role : {"anon", "authenticated"}) {
        for (const char *privilege : {"SELECT", "INSERT", "UPDATE", "DELETE"}) {
            QVERIFY2(!may(role, "callops_scheduler_presence", privilege), privilege);
            QVERIFY2(!may(role, "callops_rate_limit", privilege), privilege);
        }
    }
}

QTEST_GUILESS_MAIN(TestRoles)
#include "TestRoles.moc"
