// The fault suite: three scheduler processes (callops --no-gui) against the telephony simulator
// (a process of its own that injects timeouts, 500s, 4xx and slow answers), on a PostgreSQL
// cluster of this test's own that is restarted and then stopped for 10 s mid-run. Afterwards,
// invariants over the whole database and the simulator's record: one POST per (call, kind,
// attempt) and each for a committed move, never two calls to one number at once, no call outside
// its clinic's calling window, every row in a known state and every history a path through the
// transition table, no row lost, every row that can be called finished. The schedulers must have
// recovered by themselves (still running, clean exit on SIGTERM).
//
// CALLOPS_SOAK_SECONDS > 0 (the `soak` ctest entry, not in CI) keeps adding calls in rounds, with
// a restart and a 10 s stop in each, for that long, then checks the same invariants.
#include "CallingHoursAround.h"
#include "ChildProcesses.h"
#include "SimulatorRecord.h"
#include "TestCluster.h"
#include "scheduler/CallingWindow.h"
#include "workflow/TransitionTable.h"
#include "workflow/WorkflowState.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <QTimeZone>

#include <unistd.h>

using namespace callops;
using namespace callops::test;

namespace {

const QString kKey = QStringLiteral("fault-suite-key");
const QString kOpenZone = QStringLiteral("UTC");
const QString kClosedZone = QStringLiteral("Etc/GMT-12"); // UTC+12: half a day off the window

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

Run runProgram(const QStringList &command, const QProcessEnvironment &env = {})
{
    QProcess process;
    if (!env.isEmpty())
        process.setProcessEnvironment(env);
    process.start(command.first(), command.mid(1));
    if (!process.waitForFinished(120000))
        process.kill();
    process.waitForFinished();
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

using Post = SimulatorPost;

} // namespace

class TestFaultSuite : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void schedulersSurviveFaultsAndDatabaseOutages();

private:
    QStringList asServerUser(const QStringList &command) const;
    bool pgCtl(const QStringList &args);
    QSqlDatabase db();
    QVariant scalar(const QString &sql);
    void seed(int round, int calls, int numbers);
    bool startSimulator();
    QProcess *startScheduler(int index);
    QList<Post> readRecord() const;
    void waitForPosts(qsizetype count, int timeoutMs);
    int openRowsNotTerminal();
    void checkInvariants(const QList<Post> &record, int expectedRows);

    QTemporaryDir m_dir;
    QString m_envFile;
    QString m_clusterDir;
    QString m_bin;
    QString m_password;
    int m_port = 0;
    bool m_started = false;
    QString m_hours;
    QProcess *m_simulator = nullptr;
    quint16 m_simPort = 0;
    QList<QProcess *> m_schedulers;
    int m_restarts = 0;
    int m_stops = 0;
};

QStringList TestFaultSuite::asServerUser(const QStringList &command) const
{
    if (::geteuid() == 0)
        return QStringList{"runuser", "-u", "postgres", "--"} + command;
    return command;
}

bool TestFaultSuite::pgCtl(const QStringList &args)
{
    const Run run = runProgram(asServerUser(
            QStringList{m_bin + "/pg_ctl", "-D", m_clusterDir + "/data", "-w", "-t", "60"} + args));
    if (run.exitCode != 0)
        qWarning("pg_ctl %s: %s %s", qPrintable(args.join(' ')), qPrintable(run.out), qPrintable(run.err));
    return run.exitCode == 0;
}

QSqlDatabase TestFaultSuite::db()
{
    const QString name = QStringLiteral("faults");
    QSqlDatabase db = QSqlDatabase::contains(name) ? QSqlDatabase::database(name, false)
                                                   : QSqlDatabase::addDatabase("QPSQL", name);
    if (!db.isOpen() || !QSqlQuery(db).exec("SELECT 1")) {
        db.close();
        db.setHostName("127.0.0.1");
        db.setPort(m_port);
        db.setDatabaseName("postgres");
        db.setUserName("postgres");
        db.setPassword(m_password);
        db.open();
    }
    return db;
}

QVariant TestFaultSuite::scalar(const QString &sql)
{
    QSqlQuery query(db());
    if (!query.exec(sql) || !query.next()) {
        qWarning("%s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
        return {};
    }
    return query.value(0);
}

void TestFaultSuite::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_envFile = m_dir.filePath("pg.env");
    const Run start = runProgram(
            {QStringLiteral(CALLOPS_SOURCE_DIR "/tests/support/pg_test_cluster.sh"), "start", m_envFile});
    QVERIFY2(start.exitCode == 0, qPrintable(start.err));
    m_started = true;
    const auto cluster = TestCluster::fromFile(m_envFile);
    QVERIFY2(cluster.ok(), qPrintable(cluster.error()));
    m_port = cluster->port();
    m_password = cluster->password();
    m_clusterDir = cluster->dataDir();
    m_bin = cluster->binDir();
    // The script starts the server with its settings on the command line; a plain `pg_ctl start`
    // after a stop must find them in the configuration.
    for (const QString &sql :
         {QStringLiteral("ALTER SYSTEM SET port = %1").arg(m_port),
          QStringLiteral("ALTER SYSTEM SET listen_addresses = '127.0.0.1'"),
          QStringLiteral("ALTER SYSTEM SET unix_socket_directories = '%1'").arg(m_clusterDir),
          QStringLiteral("ALTER SYSTEM SET fsync = off"),
          QStringLiteral("ALTER SYSTEM SET max_connections = 200")}) {
        QSqlQuery query(db());
        QVERIFY2(query.exec(sql), qPrintable(query.lastError().text()));
    }
    const Run migrate
            = runProgram({QStringLiteral(CALLOPS_BINARY), "--migrate", "--db",
                          m_dir.isValid() ? QStringLiteral("postgresql://postgres:%1@127.0.0.1:%2/postgres")
                                                    .arg(m_password)
                                                    .arg(m_port)
                                          : QString()});
    QVERIFY2(migrate.exitCode == 0, qPrintable(migrate.err));
    // Open from two hours before now to four hours after, in UTC: open for clinics in UTC for the
    // whole run, closed for clinics twelve hours ahead.
    m_hours = callingHoursAround(QDateTime::currentDateTimeUtc(), 2, 3);
}

void TestFaultSuite::cleanupTestCase()
{
    for (QProcess *process : std::as_const(m_schedulers)) {
        if (process->state() != QProcess::NotRunning) {
            process->kill();
            process->waitForFinished(5000);
        }
    }
    qDeleteAll(m_schedulers);
    m_schedulers.clear();
    if (m_simulator) {
        m_simulator->kill();
        m_simulator->waitForFinished(5000);
        delete m_simulator;
    }
    QSqlDatabase::removeDatabase("faults");
    if (m_started)
        runProgram(
                {QStringLiteral(CALLOPS_SOURCE_DIR "/tests/support/pg_test_cluster.sh"), "stop", m_envFile});
}

void TestFaultSuite::seed(int round, int calls, int numbers)
{
    // Numbers shared by several calls; one call in five at a clinic whose window is closed.
    QSqlQuery query(db());
    query.prepare(
            "INSERT INTO pending_calls (exam_id, employee_name, phone, clinic_timezone, workflow_state, "
            "next_action_at, max_retries) "
            "SELECT 'R' || :round || '-' || g, 'Employee ' || g, "
            "  '+1 212-736-' || lpad((5000 + (g + :round * 7) % :numbers)::text, 4, '0'), "
            "  CASE WHEN g % 5 = 0 THEN :closed ELSE :open END, "
            "  (ARRAY['new','new','ready_to_call','needs_classification','retry_pending'])[1 + g % 5], "
            "  now() - interval '1 minute', 2 FROM generate_series(1, :calls) g");
    query.bindValue(":round", round);
    query.bindValue(":numbers", numbers);
    query.bindValue(":closed", kClosedZone);
    query.bindValue(":open", kOpenZone);
    query.bindValue(":calls", calls);
    QVERIFY2(query.exec(), qPrintable(query.lastError().text()));
    QVERIFY(query.exec(
            QStringLiteral("INSERT INTO call_classifications (phone_number, classification_type, "
                           "classification_expires_at) SELECT '+1 212-736-' || lpad((5000 + g)::text, 4, "
                           "'0'), 'human', now() + interval '1 day' FROM generate_series(0, %1) g "
                           "WHERE g % 4 = 0 AND %2 = 0")
                    .arg(numbers - 1)
                    .arg(round)));
}

bool TestFaultSuite::startSimulator()
{
    m_simulator = new QProcess;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("QT_LOGGING_RULES", "callops.*.info=false;callops.*.warning=false");
    m_simulator->setProcessEnvironment(env);
    m_simulator->setStandardErrorFile(m_dir.filePath("simulator.err"));
    m_simPort = startTelephonySimulator(
            *m_simulator, QStringLiteral(CALLOPS_TELEPHONY_SIM_BINARY),
            {"--db",
             QStringLiteral("postgresql://postgres:%1@127.0.0.1:%2/postgres").arg(m_password).arg(m_port),
             "--port",
             "0",
             "--record",
             m_dir.filePath("record.jsonl"),
             "--key",
             kKey,
             "--seed",
             "11",
             "--min-delay",
             "20",
             "--max-delay",
             "300",
             "--ivr-wait",
             "1",
             "--task-retry-delay",
             "1",
             "--timeout",
             "0.03",
             "--timeout-answer-ms",
             "0",
             "--server-error",
             "0.05",
             "--client-error",
             "0.02",
             "--slow",
             "0.05",
             "--slow-ms",
             "400",
             "--human",
             "0.6",
             "--ivr-only",
             "0.2",
             "--ivr-then-human",
             "0.1",
             "--no-answer",
             "0.1",
             "--task-success",
             "0.8"});
    return m_simPort != 0;
}

QProcess *TestFaultSuite::startScheduler(int index)
{
    auto *process = new QProcess;
    dieWithTheTest(*process);
    QProcessEnvironment env = fastSchedulerEnvironment(
            QProcessEnvironment::systemEnvironment(),
            QStringLiteral("postgresql://postgres:%1@127.0.0.1:%2/postgres").arg(m_password).arg(m_port),
            m_simPort, kKey);
    env.insert("CALLOPS_CALLING_HOURS", m_hours);
    env.insert("CALLOPS_INFLIGHT_TIMEOUT", "10");
    env.insert("CALLOPS_LEASE_SECONDS", "10");
    process->setProcessEnvironment(env);
    process->setStandardOutputFile(m_dir.filePath(QStringLiteral("scheduler%1.out").arg(index)));
    process->setStandardErrorFile(m_dir.filePath(QStringLiteral("scheduler%1.err").arg(index)));
    process->start(QStringLiteral(CALLOPS_BINARY), {"--no-gui", "--batch", "40"});
    process->waitForStarted(10000);
    m_schedulers.append(process);
    return process;
}

QList<Post> TestFaultSuite::readRecord() const
{
    return readSimulatorRecord(m_dir.filePath("record.jsonl"));
}

void TestFaultSuite::waitForPosts(qsizetype count, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (readRecord().size() < count && timer.elapsed() < timeoutMs)
        QTest::qWait(250);
}

int TestFaultSuite::openRowsNotTerminal()
{
    return scalar(QStringLiteral("SELECT count(*) FROM pending_calls WHERE clinic_timezone = '%1' AND "
                                 "workflow_state "
                                 "NOT IN ('completed', 'failed', 'classification_failed')")
                          .arg(kOpenZone))
            .toInt();
}

void TestFaultSuite::schedulersSurviveFaultsAndDatabaseOutages()
{
    const int soakSeconds = qEnvironmentVariableIntValue("CALLOPS_SOAK_SECONDS");
    const int callsPerRound = 300;
    QElapsedTimer total;
    total.start();
    seed(0, callsPerRound, 120);
    QVERIFY(startSimulator());
    for (int i = 0; i < 3; ++i)
        startScheduler(i);

    int rounds = 0;
    do {
        if (rounds > 0)
            seed(rounds, callsPerRound, 120);
        ++rounds;
        const qsizetype before = readRecord().size();
        // A restart once the schedulers are busy.
        waitForPosts(before + 40, 60000);
        QVERIFY(pgCtl({"restart", "-m", "fast"}));
        ++m_restarts;
        // Then the database gone for 10 s.
        waitForPosts(readRecord().size() + 40, 60000);
        QVERIFY(pgCtl({"stop", "-m", "fast"}));
        ++m_stops;
        QTest::qWait(10000);
        QVERIFY(pgCtl({"start", "-l", m_clusterDir + "/server.log"}));
        // Every row at an open clinic gets to an end by itself.
        QElapsedTimer timer;
        timer.start();
        int left = openRowsNotTerminal();
        while (left > 0 && timer.elapsed() < 120000) {
            QTest::qWait(1000);
            left = openRowsNotTerminal();
        }
        QCOMPARE(left, 0);
    } while (soakSeconds > 0 && total.elapsed() < qint64(soakSeconds) * 1000);

    // The schedulers recovered by themselves: all still running, and they stop cleanly.
    for (QProcess *process : std::as_const(m_schedulers))
        QCOMPARE(process->state(), QProcess::Running);
    for (QProcess *process : std::as_const(m_schedulers))
        process->terminate();
    for (QProcess *process : std::as_const(m_schedulers)) {
        QVERIFY(process->waitForFinished(30000));
        QCOMPARE(process->exitStatus(), QProcess::NormalExit);
        QCOMPARE(process->exitCode(), 0);
    }
    QCOMPARE(m_simulator->state(), QProcess::Running);
    QTest::qWait(1000);
    checkInvariants(readRecord(), rounds * callsPerRound);
    qInfo("fault suite: %d rounds in %lld s, %d database restarts, %d 10-second stops", rounds,
          total.elapsed() / 1000, m_restarts, m_stops);
}

void TestFaultSuite::checkInvariants(const QList<Post> &record, int expectedRows)
{
    // Nothing lost: every row is still there, in a known state.
    QCOMPARE(scalar("SELECT count(*) FROM pending_calls").toInt(), expectedRows);
    QCOMPARE(scalar("SELECT count(*) FROM pending_calls WHERE workflow_state NOT IN ('new', "
                    "'checking_classification', "
                    "'needs_classification', 'classifying', 'classification_pending', 'ready_to_call', "
                    "'calling', "
                    "'retry_pending', 'completed', 'failed', 'classification_failed')")
                     .toInt(),
             0);

    // One POST per (call, kind, attempt), each answering a committed move with that attempt.
    QHash<QString, int> keys;
    QHash<QString, int> faults;
    for (const Post &post : record) {
        ++keys[post.key];
        ++faults[post.fault.isEmpty() ? QStringLiteral("none") : post.fault];
    }
    int duplicates = 0;
    for (auto it = keys.cbegin(); it != keys.cend(); ++it)
        duplicates += it.value() > 1 ? it.value() - 1 : 0;
    QSet<QString> moves;
    QSqlQuery query(db());
    query.setForwardOnly(true);
    QVERIFY(query.exec(
            "SELECT pending_call_id, to_state, (detail->>'attempt')::int FROM workflow_events "
            "WHERE to_state IN ('classifying', 'calling') AND from_state IS DISTINCT FROM to_state"));
    while (query.next()) {
        const QString kind = query.value(1).toString() == "classifying" ? "classification" : "task";
        moves.insert(query.value(0).toString() + ':' + kind + ':' + QString::number(query.value(2).toInt()));
    }
    QStringList unmatched;
    for (auto it = keys.cbegin(); it != keys.cend(); ++it) {
        if (!moves.contains(it.key()))
            unmatched << it.key();
    }
    QCOMPARE(duplicates, 0);
    QVERIFY2(unmatched.isEmpty(),
             qPrintable("POSTs without a committed move: " + unmatched.mid(0, 5).join(", ")));

    // No call outside its clinic's calling window (the simulator's own clock), and none at all
    // to the clinics whose window stayed closed.
    const auto window = CallingWindow::parse(m_hours);
    QVERIFY(window.ok());
    QHash<QString, QString> zoneOf;
    QVERIFY(query.exec("SELECT id, clinic_timezone FROM pending_calls"));
    while (query.next())
        zoneOf.insert(query.value(0).toString(), query.value(1).toString());
    int outside = 0;
    for (const Post &post : record) {
        if (!window->isOpen(post.at, QTimeZone(zoneOf.value(post.id).toUtf8())))
            ++outside;
    }
    QCOMPARE(outside, 0);
    QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM pending_calls WHERE clinic_timezone = '%1' AND "
                                   "(workflow_state NOT IN ('new', 'checking_classification', "
                                   "'needs_classification', "
                                   "'ready_to_call') OR next_action_at IS NULL OR next_action_at <= now())")
                            .arg(kClosedZone))
                     .toInt(),
             0);

    // Never two calls to one number at once: in-flight intervals per number do not overlap.
    QCOMPARE(
            scalar("WITH steps AS (SELECT e.pending_call_id, e.to_state, e.at, lead(e.at) OVER (PARTITION BY "
                   "e.pending_call_id ORDER BY e.id) AS left_at FROM workflow_events e WHERE e.from_state IS "
                   "DISTINCT "
                   "FROM e.to_state), flights AS (SELECT p.phone_e164, s.pending_call_id, s.at, "
                   "coalesce(s.left_at, "
                   "'infinity') AS left_at FROM steps s JOIN pending_calls p ON p.id = s.pending_call_id "
                   "WHERE "
                   "s.to_state IN ('classifying', 'calling')) SELECT count(*) FROM flights a JOIN flights b "
                   "ON "
                   "a.phone_e164 = b.phone_e164 AND a.pending_call_id < b.pending_call_id AND a.at < "
                   "b.left_at AND "
                   "b.at < a.left_at")
                    .toInt(),
            0);

    // Every history is a path through the transition table.
    QVERIFY(query.exec("SELECT pending_call_id, from_state, to_state FROM workflow_events ORDER BY "
                       "pending_call_id, id"));
    QString call;
    QString state;
    QStringList invalid;
    int steps = 0;
    while (query.next()) {
        const QString id = query.value(0).toString();
        const QString from = query.value(1).toString();
        const QString to = query.value(2).toString();
        if (id != call) {
            call = id;
            state = to;
            continue;
        }
        if (from == to)
            continue; // a stale outcome, recorded without a move
        if (from != state)
            invalid << QStringLiteral("%1 jumps from %2 to %3").arg(id, state, from);
        else if (!transitions::reachable(workflow::stateFromName(from), workflow::stateFromName(to)))
            invalid << QStringLiteral("%1: %2 -> %3 is not in the table").arg(id, from, to);
        state = to;
        ++steps;
    }
    QVERIFY2(invalid.isEmpty(), qPrintable(invalid.mid(0, 5).join('\n')));

    const int completed
            = scalar("SELECT count(*) FROM pending_calls WHERE workflow_state = 'completed'").toInt();
    const int failed = scalar("SELECT count(*) FROM pending_calls WHERE workflow_state IN ('failed', "
                              "'classification_failed')")
                               .toInt();
    const int rescued
            = scalar("SELECT count(*) FROM workflow_events WHERE detail->>'event' = 'inflight_timeout'")
                      .toInt();
    QStringList faultText;
    for (auto it = faults.cbegin(); it != faults.cend(); ++it)
        faultText << it.key() + '=' + QString::number(it.value());
    faultText.sort();
    qInfo("fault suite: %d rows (%d completed, %d failed, %d held by a closed window), %d POSTs (%s), %d "
          "moves in "
          "history, %d in-flight rescues, duplicates %d, lost %d",
          expectedRows, completed, failed, expectedRows - completed - failed, int(record.size()),
          qPrintable(faultText.join(", ")), steps, rescued, duplicates, 0);
    QVERIFY(completed > 0 && failed > 0);
}

QTEST_GUILESS_MAIN(TestFaultSuite)
#include "TestFaultSuite.moc"
