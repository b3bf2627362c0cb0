#include "ChildProcesses.h"
#include "SimulatorRecord.h"
#include "TestDatabase.h"
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

#include <csignal>

using namespace callops;
using namespace callops::test;

namespace {

const QString kKey = QStringLiteral("fleet-test-key");

// Valid US numbers in several spellings: 212-736-5xxx.
QString phoneFor(int number, int spelling)
{
    const QString digits = QStringLiteral("%1").arg(5000 + number, 4, 10, QLatin1Char('0'));
    switch (spelling % 4) {
    case 0:
        return "+1 212-736-" + digits;
    case 1:
        return "(212) 736-" + digits;
    case 2:
        return "212.736." + digits;
    default:
        return "+12127365" + digits.mid(1);
    }
}

using Record = SimulatorPost;

} // namespace

// Several scheduler processes against one database and the telephony simulator (a process of its
// own, injecting faults), then invariants over the whole database and the simulator's record.
class TestSchedulerFleet : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void fourSchedulersOverAThousandCalls();
    void killedSchedulerIsRecoveredByAnother();

private:
    void seed(int calls, int numbers);
    bool startSimulator(const QStringList &faults);
    QProcess *startScheduler(const QString &name, const QStringList &extraEnv = {});
    QList<Record> readRecord() const;
    // `killed`: a scheduler was SIGKILLed, possibly between committing a move and sending its POST.
    void checkInvariants(const QList<Record> &record, bool killed = false);
    int nonTerminal();

    std::unique_ptr<TestDatabase> m_db;
    QTemporaryDir m_dir;
    QProcess *m_simulator = nullptr;
    quint16 m_port = 0;
    QList<QProcess *> m_schedulers;
};

void TestSchedulerFleet::init()
{
    m_db = std::make_unique<TestDatabase>(QString::fromLatin1(QTest::currentTestFunction()));
    QVERIFY2(m_db->isValid() && m_db->migrate(), qPrintable(m_db->error()));
    QFile::remove(m_dir.filePath("record.jsonl"));
}

void TestSchedulerFleet::cleanup()
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
        m_simulator->terminate();
        if (!m_simulator->waitForFinished(5000))
            m_simulator->kill();
        delete m_simulator;
        m_simulator = nullptr;
    }
    m_db.reset();
}

void TestSchedulerFleet::seed(int calls, int numbers)
{
    QSqlQuery query(m_db->connection());
    // Set-based seeding: a mix of states, numbers shared by several calls, 40 % already classified.
    query.prepare(
            "INSERT INTO pending_calls (exam_id, employee_name, phone, workflow_state, next_action_at, "
            "max_retries) "
            "SELECT 'EX-' || g, 'Employee ' || g, :phone_placeholder, "
            "  (ARRAY['new','new','new','ready_to_call','needs_classification','retry_pending'])[1 + g % 6], "
            "  now() - interval '1 minute', 2 "
            "FROM generate_series(1, :calls) g");
    // Phones are set afterwards so each call gets a spelling of its number.
    query.bindValue(":phone_placeholder", QString());
    query.bindValue(":calls", calls);
    QVERIFY2(query.exec(), qPrintable(query.lastError().text()));
    QVERIFY(query.exec("SELECT id, row_number() OVER (ORDER BY exam_id) FROM pending_calls"));
    QStringList ids;
    QList<int> ranks;
    while (query.next()) {
        ids << query.value(0).toString();
        ranks << query.value(1).toInt();
    }
    QSqlDatabase db = m_db->connection();
    QVERIFY(db.transaction());
    QSqlQuery update(db);
    update.prepare("UPDATE pending_calls SET phone = ? WHERE id = ?::uuid");
    for (int i = 0; i < ids.size(); ++i) {
        update.addBindValue(phoneFor(ranks[i] % numbers, ranks[i]));
        update.addBindValue(ids[i]);
        QVERIFY2(update.exec(), qPrintable(update.lastError().text()));
    }
    QSqlQuery classify(db);
    QVERIFY(classify.exec(
            QStringLiteral(
                    "INSERT INTO call_classifications (phone_number, classification_type, "
                    "classification_expires_at) SELECT '+1 212-736-' || lpad((5000 + g)::text, 4, '0'), "
                    "CASE WHEN g % 2 = 0 THEN 'human' ELSE 'ivr_only' END, now() + interval '1 day' "
                    "FROM generate_series(0, %1) g WHERE g % 5 < 2")
                    .arg(numbers - 1)));
    QVERIFY(db.commit());
}

bool TestSchedulerFleet::startSimulator(const QStringList &faults)
{
    m_simulator = new QProcess;
    m_simulator->setProcessChannelMode(QProcess::SeparateChannels);
    m_simulator->setProcessEnvironment(m_db->cluster().processEnvironment());
    QStringList args{"--db",
                     m_db->url(),
                     "--port",
                     "0",
                     "--record",
                     m_dir.filePath("record.jsonl"),
                     "--key",
                     kKey,
                     "--seed",
                     "7",
                     "--min-delay",
                     "20",
                     "--max-delay",
                     "200",
                     "--ivr-wait",
                     "1",
                     "--task-retry-delay",
                     "1"};
    m_port = startTelephonySimulator(*m_simulator, QStringLiteral(CALLOPS_TELEPHONY_SIM_BINARY),
                                     args + faults);
    return m_port != 0;
}

QProcess *TestSchedulerFleet::startScheduler(const QString &name, const QStringList &extraEnv)
{
    auto *process = new QProcess;
    dieWithTheTest(*process);
    QProcessEnvironment env
            = fastSchedulerEnvironment(m_db->cluster().processEnvironment(), m_db->url(), m_port, kKey);
    env.insert("CALLOPS_CALLING_HOURS", "mon-sun 00:00-24:00");
    env.insert("CALLOPS_INFLIGHT_TIMEOUT", "30");
    for (const QString &pair : extraEnv)
        env.insert(pair.section('=', 0, 0), pair.section('=', 1));
    process->setProcessEnvironment(env);
    process->setStandardOutputFile(m_dir.filePath(name + ".out"));
    process->setStandardErrorFile(m_dir.filePath(name + ".err"));
    process->start(QStringLiteral(CALLOPS_BINARY), {"--no-gui", "--batch", "50"});
    process->waitForStarted(10000);
    m_schedulers.append(process);
    return process;
}

QList<Record> TestSchedulerFleet::readRecord() const
{
    return readSimulatorRecord(m_dir.filePath("record.jsonl"));
}

int TestSchedulerFleet::nonTerminal()
{
    return scalar(m_db->connection("watch"),
                  "SELECT count(*) FROM pending_calls WHERE workflow_state NOT IN "
                  "('completed', 'failed', 'classification_failed')")
            .toInt();
}

void TestSchedulerFleet::checkInvariants(const QList<Record> &record, bool killed)
{
    QSqlDatabase db = m_db->connection("check");

    // One POST per (call, kind, attempt): every Idempotency-Key reached the simulator once.
    QHash<QString, int> keys;
    for (const Record &r : record)
        ++keys[r.key];
    QStringList duplicates;
    for (auto it = keys.cbegin(); it != keys.cend(); ++it) {
        if (it.value() > 1)
            duplicates << it.key();
    }
    QVERIFY2(duplicates.isEmpty(), qPrintable("POSTed more than once: " + duplicates.mid(0, 5).join(", ")));

    // Every POST answers a committed move into classifying / calling with that attempt, and,
    // unless a scheduler was killed after committing a move and before its POST (the row is then
    // rescued and tried again under a new attempt), every such move got its POST.
    const int moves
            = scalar(db,
                     "SELECT count(*) FROM workflow_events WHERE to_state IN ('classifying', 'calling') "
                     "AND from_state IN ('needs_classification', 'ready_to_call')")
                      .toInt();
    if (killed)
        QVERIFY2(moves >= int(record.size()),
                 qPrintable(QStringLiteral("%1 moves, %2 POSTs").arg(moves).arg(record.size())));
    else
        QCOMPARE(moves, int(record.size()));
    QSet<QString> moveKeys;
    QSqlQuery keyed(db);
    QVERIFY(keyed.exec(
            "SELECT pending_call_id::text || ':' || CASE to_state WHEN 'classifying' THEN 'classification' "
            "ELSE 'task' END || ':' || (detail->>'attempt') FROM workflow_events WHERE to_state IN "
            "('classifying', 'calling') AND from_state IN ('needs_classification', 'ready_to_call')"));
    while (keyed.next())
        moveKeys.insert(keyed.value(0).toString());
    for (const Record &r : record)
        QVERIFY2(moveKeys.contains(r.key), qPrintable("a POST without a committed move: " + r.key));

    // Never two calls to one number at once: the in-flight intervals of one number do not overlap.
    QSqlQuery overlaps(db);
    QVERIFY2(overlaps.exec(
                     "WITH steps AS ("
                     "  SELECT e.pending_call_id, e.to_state, e.at, "
                     "         lead(e.at) OVER (PARTITION BY e.pending_call_id ORDER BY e.id) AS left_at "
                     "    FROM workflow_events e WHERE e.from_state IS DISTINCT FROM e.to_state), "
                     "flights AS ("
                     "  SELECT p.phone_e164, s.pending_call_id, s.at, coalesce(s.left_at, 'infinity') AS "
                     "left_at "
                     "    FROM steps s JOIN pending_calls p ON p.id = s.pending_call_id "
                     "   WHERE s.to_state IN ('classifying', 'calling')) "
                     "SELECT count(*) FROM flights a JOIN flights b ON a.phone_e164 = b.phone_e164 "
                     " AND a.pending_call_id < b.pending_call_id AND a.at < b.left_at AND b.at < a.left_at"),
             qPrintable(overlaps.lastError().text()));
    QVERIFY(overlaps.next());
    QCOMPARE(overlaps.value(0).toInt(), 0);

    // Every row is in a known state, and every history is a path through the transition table.
    QCOMPARE(scalar(db,
                    "SELECT count(*) FROM pending_calls WHERE workflow_state NOT IN ('new', "
                    "'checking_classification', 'needs_classification', 'classifying', "
                    "'classification_pending', "
                    "'ready_to_call', 'calling', 'retry_pending', 'completed', 'failed', "
                    "'classification_failed')")
                     .toInt(),
             0);
    QSqlQuery events(db);
    events.setForwardOnly(true);
    QVERIFY(events.exec("SELECT pending_call_id, from_state, to_state FROM workflow_events ORDER BY "
                        "pending_call_id, id"));
    QString currentCall;
    QString currentState;
    int checked = 0;
    QStringList invalid;
    while (events.next()) {
        const QString call = events.value(0).toString();
        const QString from = events.value(1).toString();
        const QString to = events.value(2).toString();
        if (call != currentCall) {
            currentCall = call;
            currentState = to; // the insert
            QVERIFY(events.value(1).isNull());
            continue;
        }
        if (from == to)
            continue; // a stale outcome, kept in the history without a move
        if (from != currentState)
            invalid << QStringLiteral("%1: history jumps from %2 to %3").arg(call, currentState, from);
        else if (!transitions::reachable(workflow::stateFromName(from), workflow::stateFromName(to)))
            invalid << QStringLiteral("%1: %2 -> %3 is not in the transition table").arg(call, from, to);
        currentState = to;
        ++checked;
    }
    QVERIFY2(invalid.isEmpty(), qPrintable(invalid.mid(0, 5).join('\n')));
    QVERIFY(checked > 0);
    // No claim outlives the schedulers.
    QCOMPARE(scalar(db,
                    "SELECT count(*) FROM pending_calls WHERE locked_by IS NOT NULL AND locked_until > now()")
                     .toInt(),
             0);
}

void TestSchedulerFleet::fourSchedulersOverAThousandCalls()
{
    seed(1000, 400);
    QVERIFY(startSimulator({"--timeout",      "0.03", "--server-error",   "0.05", "--client-error", "0.01",
                            "--slow",         "0.05", "--slow-ms",        "400",  "--human",        "0.6",
                            "--ivr-only",     "0.2",  "--ivr-then-human", "0.1",  "--no-answer",    "0.1",
                            "--task-success", "0.8"}));
    for (int i = 0; i < 4; ++i)
        startScheduler(QStringLiteral("scheduler%1").arg(i));

    QElapsedTimer timer;
    timer.start();
    int left = nonTerminal();
    while (left > 0 && timer.elapsed() < 150000) {
        QTest::qWait(1000);
        left = nonTerminal();
    }
    for (QProcess *process : std::as_const(m_schedulers))
        process->terminate();
    for (QProcess *process : std::as_const(m_schedulers)) {
        QVERIFY(process->waitForFinished(30000));
        QCOMPARE(process->exitStatus(), QProcess::NormalExit);
        QCOMPARE(process->exitCode(), 0);
    }
    QTest::qWait(1000); // outcomes of the last accepted calls
    const QList<Record> record = readRecord();
    qInfo("fleet: %d POSTs, %d rows not terminal after %lld ms", int(record.size()), left, timer.elapsed());
    QVERIFY(record.size() >= 1000 / 2);
    checkInvariants(record);

    QSqlDatabase db = m_db->connection("summary");
    QVERIFY(scalar(db, "SELECT count(*) FROM pending_calls WHERE workflow_state = 'completed'").toInt()
            > 100);
    QVERIFY(scalar(db,
                   "SELECT count(*) FROM pending_calls WHERE workflow_state IN ('failed', "
                   "'classification_failed')")
                    .toInt()
            > 0);
    // The work was shared out.
    QVERIFY(scalar(db, "SELECT count(DISTINCT actor) FROM workflow_events WHERE actor LIKE 'scheduler:%'")
                    .toInt()
            >= 2);
    QCOMPARE(left, 0);
}

void TestSchedulerFleet::killedSchedulerIsRecoveredByAnother()
{
    seed(120, 120);
    // Every answer is slow, so the first scheduler is killed with requests in flight and claims held.
    QVERIFY(startSimulator({"--slow", "1.0", "--slow-ms", "300", "--human", "1", "--ivr-only", "0",
                            "--ivr-then-human", "0", "--no-answer", "0", "--task-success", "1"}));
    QProcess *first = startScheduler(
            "killed",
            {"CALLOPS_LEASE_SECONDS=5", "CALLOPS_CALLS_PER_SECOND=20", "CALLOPS_MAX_CONCURRENT_REQUESTS=4"});
    QTRY_VERIFY_WITH_TIMEOUT(readRecord().size() >= 5, 30000);
    ::kill(pid_t(first->processId()), SIGKILL);
    QVERIFY(first->waitForFinished(5000));
    QSqlDatabase db = m_db->connection("check");
    const int held = scalar(db, "SELECT count(*) FROM pending_calls WHERE locked_by IS NOT NULL").toInt();
    qInfo("killed with %d claims held and %d rows in flight", held,
          scalar(db, "SELECT count(*) FROM pending_calls WHERE workflow_state IN ('classifying', 'calling')")
                  .toInt());
    QVERIFY(held
                    + scalar(db,
                             "SELECT count(*) FROM pending_calls WHERE workflow_state IN "
                             "('classifying','calling')")
                              .toInt()
            > 0);

    QProcess *second = startScheduler("rescuer", {"CALLOPS_INFLIGHT_TIMEOUT=5"});
    QElapsedTimer timer;
    timer.start();
    while (nonTerminal() > 0 && timer.elapsed() < 90000)
        QTest::qWait(1000);
    second->terminate();
    QVERIFY(second->waitForFinished(30000));
    QCOMPARE(second->exitCode(), 0);
    QTest::qWait(500);
    QCOMPARE(nonTerminal(), 0);
    checkInvariants(readRecord(), true);
}

QTEST_GUILESS_MAIN(TestSchedulerFleet)
#include "TestSchedulerFleet.moc"
