#include "LockRace.h"
#include "TableLock.h"
#include "TestDatabase.h"
#include "console/ConsoleRepository.h"
#include "db/QueryCanceller.h"
#include "workflow/ManualAction.h"
#include "workflow/TransitionTable.h"

#include <QSet>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

using namespace callops;
using namespace callops::test;

namespace {

struct Seed
{
    QString id;
    QString exam;
    QString employee;
    QString phone;
    QString clinic;
    QString state;
    QString stateAge = "0 seconds"; // how long ago the row entered its state and was updated
    QString nextAction = "0 seconds"; // relative to now
    QString failureReason = {};
};

bool insert(const QSqlDatabase &db, const Seed &seed)
{
    QSqlQuery query(db);
    query.prepare("INSERT INTO pending_calls (id, exam_id, employee_name, employee_dob, phone, clinic_name, "
                  "workflow_state, state_changed_at, updated_at, next_action_at, failure_reason, failed_at, "
                  "retry_count) VALUES (:id::uuid, :exam, :employee, '1980-04-02', :phone, :clinic, :state, "
                  "now() - :age::interval, now() - :age2::interval, now() + :next::interval, :reason, "
                  "CASE WHEN :reason2::text IS NULL THEN NULL ELSE now() - :age3::interval END, 2)");
    query.bindValue(":id", seed.id);
    query.bindValue(":exam", seed.exam);
    query.bindValue(":employee", seed.employee);
    query.bindValue(":phone", seed.phone);
    query.bindValue(":clinic", seed.clinic);
    query.bindValue(":state", seed.state);
    query.bindValue(":age", seed.stateAge);
    query.bindValue(":age2", seed.stateAge);
    query.bindValue(":age3", seed.stateAge);
    query.bindValue(":next", seed.nextAction);
    const QVariant reason = seed.failureReason.isEmpty() ? QVariant(QMetaType(QMetaType::QString))
                                                         : QVariant(seed.failureReason);
    query.bindValue(":reason", reason);
    query.bindValue(":reason2", reason);
    if (!query.exec()) {
        qWarning("insert failed: %s", qPrintable(query.lastError().text()));
        return false;
    }
    return true;
}

QString uuid(int n)
{
    return QString("00000000-0000-0000-0000-%1").arg(n, 12, 10, QChar('0'));
}

} // namespace

class TestConsoleRepository : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void manualTransitionsTableEqualsTheCoreTable();
    void countsEqualTheDatabase();
    void stuckCallsFollowTheThresholds();
    void aLeaseDoesNotHideAStuckCall();
    void searchFindsPhoneInAnyFormat_data();
    void searchFindsPhoneInAnyFormat();
    void injectionStringsInSearchAreHarmless_data();
    void injectionStringsInSearchAreHarmless();
    void filtersAndSorting();
    void searchAndStateFilterUseIndexes_data();
    void searchAndStateFilterUseIndexes();
    void searchFollowsEditsAndStateChangesLeaveIt();
    void sessionPlansForFastStorage();
    void periodCountsBackFromEachQuery();
    void failureReasonsMostCommonFirst();
    void actionsMoveRowsAndRecordHistory_data();
    void actionsMoveRowsAndRecordHistory();
    void actionsSkipRowsNotAllowed();
    void markFailedWithoutReasonIsRefused();
    void actionAppliesToTheAttemptSeen();
    void liveCallsTakeNoActionUntilStuck();
    void bulkActionOnTheFilter();
    void historyCanBeSearchedByReason();
    void failuresForReports();
    void actionFunctionsAreNotPublic();
    void cancelledReadSaysSoAndLeavesTheSessionUsable_data();
    void cancelledReadSaysSoAndLeavesTheSessionUsable();

private:
    void seedStandard();
    std::unique_ptr<TestDatabase> m_database;
    QSqlDatabase m_db;
};

void TestConsoleRepository::periodCountsBackFromEachQuery()
{
    // "In state for up to 2 minutes" chosen once: a call that crosses the two minutes while the
    // console refreshes leaves the table, as it would if the period were chosen again.
    QSqlQuery age(m_db);
    QVERIFY(age.exec("UPDATE pending_calls SET state_changed_at = now() - interval '117 seconds' "
                     "WHERE exam_id = 'EX-1004'"));
    ConsoleRepository repository(m_db);
    CallFilter filter;
    filter.states = {WorkflowState::Classifying};
    filter.inStateAtMostSeconds = 120;
    QCOMPARE(*repository.count(filter), 1);
    QTest::qWait(4500);
    QCOMPARE(*repository.count(filter), 0);
}

void TestConsoleRepository::failureReasonsMostCommonFirst()
{
    QVERIFY(insert(m_db,
                   {uuid(20), "EX-1020", "Jo Park", "+15552010020", "East Clinic", "failed", "1 hour",
                    "0 seconds", "Max retries exceeded"}));
    ConsoleRepository repository(m_db);
    const auto reasons = repository.failureReasons();
    QVERIFY2(reasons, qPrintable(reasons.error()));
    QCOMPARE(*reasons, (QList<ReasonCount>{{"Max retries exceeded", 2}, {"=HYPERLINK(\"x\")", 1}}));
}

void TestConsoleRepository::init()
{
    m_database = std::make_unique<TestDatabase>(QString::fromLatin1(QTest::currentTestFunction()));
    QVERIFY2(m_database->isValid(), qPrintable(m_database->error()));
    QVERIFY2(m_database->migrate(), qPrintable(m_database->error()));
    m_db = m_database->connection();
    seedStandard();
}

void TestConsoleRepository::cleanup()
{
    m_db = QSqlDatabase();
    m_database.reset();
}

void TestConsoleRepository::seedStandard()
{
    const QList<Seed> seeds{
            {uuid(1), "EX-1001", "Ana Lopez", "+1 (555) 201-0001", "North Clinic", "new"},
            {uuid(2), "EX-1002", "Bob Stone", "555.201.0002", "North Clinic", "ready_to_call"},
            {uuid(3), "EX-1003", "Cara Diaz", "+15552010003", "South Clinic", "calling", "11 minutes"},
            {uuid(4), "EX-1004", "Dan Wu", "+15552010004", "South Clinic", "classifying", "2 minutes"},
            {uuid(5), "EX-1005", "Eve Moss", "+15552010005", "South Clinic", "retry_pending", "3 hours",
             "1 hour"},
            {uuid(6), "EX-1006", "Fay Ruiz", "+15552010006", "North Clinic", "failed", "1 day", "0 seconds",
             "Max retries exceeded"},
            {uuid(7), "EX-1007", "Gus Hale", "+15552010007", "East Clinic", "classification_failed", "2 days",
             "0 seconds", "=HYPERLINK(\"x\")"},
            {uuid(8), "EX-1008", "Hal Ames", "+15552010008", "East Clinic", "completed", "5 hours"},
            {uuid(9), "EX-100%", "Ida_Nash", "+15552010009", "East Clinic", "needs_classification",
             "2 hours"},
    };
    for (const Seed &seed : seeds)
        QVERIFY(insert(m_db, seed));
}

void TestConsoleRepository::manualTransitionsTableEqualsTheCoreTable()
{
    QSet<QString> core;
    for (const Transition &t : transitions::all()) {
        for (ManualAction action : manualActions::all()) {
            if (manualActions::event(action) == t.event)
                core.insert(manualActions::actionName(action) + "|" + workflow::stateName(t.from) + "|"
                            + workflow::stateName(t.to));
        }
    }
    QSet<QString> sql;
    QSqlQuery query(m_db);
    QVERIFY(query.exec("SELECT action, from_state, to_state FROM workflow_manual_transitions"));
    while (query.next())
        sql.insert(query.value(0).toString() + "|" + query.value(1).toString() + "|"
                   + query.value(2).toString());
    QVERIFY(!core.isEmpty());
    QCOMPARE(sql, core);
}

void TestConsoleRepository::countsEqualTheDatabase()
{
    ConsoleRepository repository(m_db);
    const auto counts = repository.stateCounts();
    QVERIFY2(counts, qPrintable(counts.error()));
    QSqlQuery query(m_db);
    QVERIFY(query.exec("SELECT workflow_state, count(*) FROM pending_calls GROUP BY 1"));
    qint64 total = 0;
    int states = 0;
    while (query.next()) {
        QCOMPARE(counts->byState.value(query.value(0).toString()), query.value(1).toLongLong());
        QCOMPARE(counts->count(workflow::stateFromName(query.value(0).toString())),
                 query.value(1).toLongLong());
        total += query.value(1).toLongLong();
        ++states;
    }
    QCOMPARE(counts->byState.size(), states);
    QCOMPARE(counts->total, total);
    QCOMPARE(counts->total, 9);
}

void TestConsoleRepository::stuckCallsFollowTheThresholds()
{
    ConsoleRepository repository(m_db);
    CallFilter stuck;
    stuck.stuckOnly = true;
    auto rows = repository.page(stuck, {}, 0, 100);
    QVERIFY2(rows, qPrintable(rows.error()));
    QSet<QString> ids;
    for (const CallRecord &call : *rows)
        ids.insert(call.id);
    // calling for 11 minutes, needs_classification due and untouched for 2 hours; not the classifying
    // call (2 minutes), not the retry waiting for its time, not terminal rows.
    QCOMPARE(ids, (QSet<QString>{uuid(3), uuid(9)}));
    QCOMPARE(repository.stateCounts()->stuck, 2);

    StuckRules rules;
    rules.setThresholdSeconds(WorkflowState::Classifying, 60);
    rules.setThresholdSeconds(WorkflowState::Calling, 3600);
    repository.setStuckRules(rules);
    rows = repository.page(stuck, {}, 0, 100);
    ids.clear();
    for (const CallRecord &call : *rows)
        ids.insert(call.id);
    QCOMPARE(ids, (QSet<QString>{uuid(4), uuid(9)}));
    QCOMPARE(repository.stateCounts()->stuck, 2);

    // Past every threshold but the retry's wait: every call in a state that has a threshold
    // (terminal ones have none), and a state written by someone else never.
    // (A newer program's state, or a hand edit once the constraint is gone.)
    QSqlQuery query(m_db);
    QVERIFY(query.exec("ALTER TABLE pending_calls DROP CONSTRAINT valid_workflow_state"));
    QVERIFY(query.exec("UPDATE pending_calls SET workflow_state = 'on_hold' WHERE id = '" + uuid(2) + "'"));
    for (WorkflowState state : workflow::knownStates())
        rules.setThresholdSeconds(state, rules.thresholdSeconds(state) > 0 ? 1 : 0);
    repository.setStuckRules(rules);
    QTest::qWait(1100);
    rows = repository.page(stuck, {}, 0, 100);
    ids.clear();
    for (const CallRecord &call : *rows)
        ids.insert(call.id);
    QCOMPARE(ids, (QSet<QString>{uuid(1), uuid(3), uuid(4), uuid(9)}));
    QCOMPARE(repository.stateCounts()->stuck, 4);
}

// A scheduler that leases a due row and lets it go again (its number busy, the clinic closed) has
// not moved the call on: the row stays stuck, and keeps its place in the default order.
void TestConsoleRepository::aLeaseDoesNotHideAStuckCall()
{
    ConsoleRepository repository(m_db);
    const auto before = repository.page({}, {}, 0, 100);
    QVERIFY2(before, qPrintable(before.error()));
    QSqlQuery query(m_db);
    QVERIFY(query.prepare("UPDATE pending_calls SET locked_by = 'scheduler-a', "
                          "locked_until = now() + interval '5 minutes' WHERE id = :id"));
    query.bindValue(":id", uuid(9));
    QVERIFY2(query.exec(), qPrintable(query.lastError().text()));
    QVERIFY(query.prepare("UPDATE pending_calls SET locked_by = NULL, locked_until = NULL WHERE id = :id"));
    query.bindValue(":id", uuid(9));
    QVERIFY2(query.exec(), qPrintable(query.lastError().text()));

    CallFilter stuck;
    stuck.stuckOnly = true;
    const auto rows = repository.page(stuck, {}, 0, 100);
    QVERIFY2(rows, qPrintable(rows.error()));
    QSet<QString> ids;
    for (const CallRecord &call : *rows)
        ids.insert(call.id);
    QCOMPARE(ids, (QSet<QString>{uuid(3), uuid(9)}));
    const auto after = repository.page({}, {}, 0, 100);
    QVERIFY2(after, qPrintable(after.error()));
    QStringList order;
    QStringList orderBefore;
    for (const CallRecord &call : *after)
        order.append(call.id);
    for (const CallRecord &call : *before)
        orderBefore.append(call.id);
    QCOMPARE(order, orderBefore);
}

void TestConsoleRepository::searchFindsPhoneInAnyFormat_data()
{
    QTest::addColumn<QString>("term");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("digits") << "5552010001" << QStringList{uuid(1)};
    QTest::newRow("e164") << "+1 555 201 0002" << QStringList{uuid(2)};
    QTest::newRow("formatted") << "(555) 201-0003" << QStringList{uuid(3)};
    QTest::newRow("dots") << "555.201.0004" << QStringList{uuid(4)};
    QTest::newRow("exam id") << "ex-1005" << QStringList{uuid(5)};
    QTest::newRow("employee") << "fay" << QStringList{uuid(6)};
    QTest::newRow("clinic") << "east clinic" << QStringList{uuid(7), uuid(8), uuid(9)};
    QTest::newRow("literal percent") << "100%" << QStringList{uuid(9)};
    QTest::newRow("literal underscore") << "Ida_" << QStringList{uuid(9)};
    QTest::newRow("call id") << uuid(3).toUpper() << QStringList{uuid(3)};
    QTest::newRow("stored without country code") << "+1 555-201-0002" << QStringList{uuid(2)};
}

void TestConsoleRepository::searchFindsPhoneInAnyFormat()
{
    QFETCH(QString, term);
    QFETCH(QStringList, expected);
    ConsoleRepository repository(m_db);
    CallFilter filter;
    filter.search = term;
    CallSort sort{CallSort::Key::ExamId, false};
    const auto rows = repository.page(filter, sort, 0, 100);
    QVERIFY2(rows, qPrintable(rows.error()));
    QStringList ids;
    for (const CallRecord &call : *rows)
        ids.append(call.id);
    ids.sort();
    QCOMPARE(ids, expected);
    QCOMPARE(*repository.count(filter), qint64(expected.size()));
}

void TestConsoleRepository::searchAndStateFilterUseIndexes_data()
{
    // The filter as the console's queries pass it (constants, as their parameters are when
    // planned), and what the plan must show: an index lookup, not a read of the whole table.
    QTest::addColumn<QString>("states");
    QTest::addColumn<QString>("search");
    QTest::addColumn<QString>("planHas");
    QTest::newRow("phone, formatted") << "NULL"
                                      << "(415) 000-4242"
                                      << "on idx_pending_call_search_text";
    QTest::newRow("phone with a country code the stored one lacks") << "NULL"
                                                                    << "+1 415 000 4242"
                                                                    << "on idx_pending_call_search_digits";
    QTest::newRow("clinic fragment") << "NULL"
                                     << "inic 42"
                                     << "on idx_pending_call_search_text";
    QTest::newRow("exam id") << "NULL"
                             << "EX-4242"
                             << "on idx_pending_call_search_text";
    QTest::newRow("call id") << "NULL" << uuid(4242) << "on pending_call_search_pkey";
    QTest::newRow("states") << "'{failed,classification_failed}'" << QString()
                            << "Index Cond: (workflow_state = ANY";
}

void TestConsoleRepository::searchAndStateFilterUseIndexes()
{
    QFETCH(QString, states);
    QFETCH(QString, search);
    QFETCH(QString, planHas);
    QSqlQuery query(m_db);
    QVERIFY(query.exec(
            "INSERT INTO pending_calls (id, exam_id, employee_name, phone, clinic_name, workflow_state) "
            "SELECT ('00000000-0000-0000-0000-' || lpad(g::text, 12, '0'))::uuid, 'EX-' || g, "
            "'Person ' || g, '415' || lpad(g::text, 7, '0'), 'Clinic ' || (g % 500), "
            "(ARRAY['new', 'ready_to_call', 'calling', 'completed', 'failed', "
            "'classification_failed'])[1 + g % 6] FROM generate_series(10, 20000) AS g"));
    QVERIFY(query.exec("ANALYZE pending_calls"));
    QVERIFY(query.exec("ANALYZE pending_call_search"));
    QVERIFY(query.exec("SET enable_seqscan = off"));
    // A search's candidates come from pending_call_search, narrow rows: at 20,000 of them a full
    // walk of its primary key costs less than the trigram index, at a million it does not. Bitmap
    // scans only, which need an index condition, to see that the search can use its indexes.
    if (!search.isEmpty())
        QVERIFY(query.exec("SET enable_indexscan = off"));
    const QString term = search.isEmpty() ? QStringLiteral("NULL") : u'\'' + search + u'\'';
    // As the console's queries join a search's candidates (ConsoleRepository::filterCondition).
    const QString candidates = search.isEmpty()
            ? QString()
            : QStringLiteral(" AND pc.id IN (SELECT id FROM callops_search_call_ids(%1) AS id)").arg(term);
    // The count and a page.
    for (const QString &select : {QStringLiteral("count(*)"), QStringLiteral("pc.id")}) {
        QVERIFY2(query.exec(QStringLiteral(
                                    "EXPLAIN SELECT %1 FROM pending_calls pc WHERE callops_call_matches(pc, "
                                    "%2::text[], NULL, NULL, NULL, NULL, %3, NULL, NULL)%4")
                                    .arg(select, states, term, candidates)),
                 qPrintable(query.lastError().text()));
        QStringList plan;
        while (query.next())
            plan.append(query.value(0).toString());
        QVERIFY2(plan.join(u'\n').contains(planHas), qPrintable(plan.join(u'\n')));
    }
    QVERIFY(query.exec("RESET enable_seqscan"));
    QVERIFY(query.exec("RESET enable_indexscan"));
}

void TestConsoleRepository::searchFollowsEditsAndStateChangesLeaveIt()
{
    ConsoleRepository repository(m_db);
    const auto found = [&repository](const QString &term) {
        CallFilter filter;
        filter.search = term;
        const auto count = repository.count(filter);
        return count ? *count : -1;
    };
    QSqlQuery query(m_db);
    const auto versions = [&query]() {
        // Each search row's version: a row written again gets a new xmin.
        QStringList rows;
        if (query.exec(
                    "SELECT call_id::text || ' ' || xmin::text FROM pending_call_search ORDER BY call_id")) {
            while (query.next())
                rows.append(query.value(0).toString());
        }
        return rows;
    };

    // A clinic renamed and a number corrected are found by what they are now.
    QVERIFY(query.exec("UPDATE pending_calls SET clinic_name = 'Harbor Clinic', phone = '+1 555 777 0001' "
                       "WHERE id = '"
                       + uuid(1) + "'"));
    QCOMPARE(found("harbor"), 1);
    QCOMPARE(found("north clinic"), 2);
    QCOMPARE(found("5557770001"), 1);
    QCOMPARE(found("5552010001"), 0);

    // What the scheduler writes (states, times, the number's E.164 form) leaves the search table
    // alone; a change of a searched column writes it.
    const QStringList before = versions();
    QCOMPARE(before.size(), 9);
    QVERIFY(query.exec("UPDATE pending_calls SET workflow_state = 'ready_to_call', next_action_at = now(), "
                       "phone_e164 = '+15552010002', retry_count = retry_count + 1"));
    QCOMPARE(versions(), before);
    QVERIFY(query.exec("UPDATE pending_calls SET employee_name = 'Zoe Park' WHERE id = '" + uuid(2) + "'"));
    const QStringList after = versions();
    QCOMPARE(after.size(), before.size());
    int changed = 0;
    for (qsizetype i = 0; i < after.size(); ++i)
        changed += after[i] != before[i] ? 1 : 0;
    QCOMPARE(changed, 1);
    QCOMPARE(found("zoe park"), 1);
    QCOMPARE(found("bob stone"), 0);

    // Deleted calls leave nothing behind, one by one or all at once.
    QVERIFY(query.exec("DELETE FROM pending_calls WHERE id = '" + uuid(8) + "'"));
    QVERIFY(query.exec("SELECT count(*) FROM pending_call_search WHERE call_id = '" + uuid(8) + "'"));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toInt(), 0);
    QVERIFY2(query.exec("TRUNCATE pending_calls CASCADE"), qPrintable(query.lastError().text()));
    QVERIFY(query.exec("SELECT count(*) FROM pending_call_search"));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toInt(), 0);
}

void TestConsoleRepository::sessionPlansForFastStorage()
{
    QSqlQuery query(m_db);
    const auto cost = [&query]() {
        return query.exec("SHOW random_page_cost") && query.next() ? query.value(0).toString() : QString();
    };
    QCOMPARE(cost(), QStringLiteral("4"));
    QVERIFY(ConsoleRepository::prepareSession(m_db));
    QCOMPARE(cost(), QStringLiteral("1.1"));
    // A server already tuned lower keeps its own figure.
    QVERIFY(query.exec("SET random_page_cost = 1.05"));
    QVERIFY(ConsoleRepository::prepareSession(m_db));
    QCOMPARE(cost(), QStringLiteral("1.05"));
    QVERIFY(query.exec("RESET random_page_cost"));
}

void TestConsoleRepository::injectionStringsInSearchAreHarmless_data()
{
    QTest::addColumn<QString>("term");
    QTest::newRow("quote") << "'";
    QTest::newRow("drop") << "'; DROP TABLE pending_calls; --";
    QTest::newRow("or true") << "' OR '1'='1";
    QTest::newRow("percent") << "%";
    QTest::newRow("underscore") << "_";
    QTest::newRow("backslash") << "\\";
    QTest::newRow("placeholder") << ":f_states";
    QTest::newRow("dollar quote") << "$$; DELETE FROM pending_calls; $$";
}

void TestConsoleRepository::injectionStringsInSearchAreHarmless()
{
    QFETCH(QString, term);
    ConsoleRepository repository(m_db);
    CallFilter filter;
    filter.search = term;
    const auto rows = repository.page(filter, {}, 0, 100);
    QVERIFY2(rows, qPrintable(rows.error()));
    for (const CallRecord &call : *rows) {
        const QString haystack = call.examId + call.employeeName + call.clinicName;
        QVERIFY2(haystack.contains(term, Qt::CaseInsensitive), qPrintable(call.examId));
    }
    const auto history = repository.searchHistory(term);
    QVERIFY2(history, qPrintable(history.error()));
    QCOMPARE(scalar(m_db, "SELECT count(*) FROM pending_calls").toInt(), 9);
}

void TestConsoleRepository::filtersAndSorting()
{
    ConsoleRepository repository(m_db);
    CallFilter filter;
    filter.states = {WorkflowState::Failed, WorkflowState::ClassificationFailed};
    auto rows = repository.page(filter, {CallSort::Key::Employee, true}, 0, 100);
    QVERIFY2(rows, qPrintable(rows.error()));
    QCOMPARE(rows->size(), 2);
    QCOMPARE(rows->at(0).employeeName, "Gus Hale");
    QCOMPARE(rows->at(1).employeeName, "Fay Ruiz");

    filter = {};
    filter.clinic = "South Clinic";
    QCOMPARE(*repository.count(filter), 3);
    filter.failureReason = "Max retries exceeded";
    QCOMPARE(*repository.count(filter), 0);
    filter.clinic.clear();
    QCOMPARE(*repository.count(filter), 1);

    filter = {};
    filter.since = QDateTime::currentDateTimeUtc().addSecs(-4 * 3600);
    filter.until = QDateTime::currentDateTimeUtc().addSecs(-30 * 60);
    rows = repository.page(filter, {CallSort::Key::Retries, false}, 0, 100);
    QStringList exams;
    for (const CallRecord &call : *rows)
        exams.append(call.examId);
    exams.sort();
    QCOMPARE(exams, (QStringList{"EX-100%", "EX-1005"}));

    // Pages: offset and limit in SQL, stable order.
    const auto first = repository.page({}, {CallSort::Key::ExamId, false}, 0, 4);
    const auto second = repository.page({}, {CallSort::Key::ExamId, false}, 4, 4);
    const auto third = repository.page({}, {CallSort::Key::ExamId, false}, 8, 4);
    QCOMPARE(first->size(), 4);
    QCOMPARE(second->size(), 4);
    QCOMPARE(third->size(), 1);
    QStringList paged;
    for (const auto *page : {&first, &second, &third}) {
        for (const CallRecord &call : page->value())
            paged.append(call.id);
    }
    QStringList ordered;
    QSqlQuery all(m_db);
    QVERIFY(all.exec("SELECT id::text FROM pending_calls ORDER BY exam_id, id"));
    while (all.next())
        ordered.append(all.value(0).toString());
    QCOMPARE(paged, ordered);
}

void TestConsoleRepository::actionsMoveRowsAndRecordHistory_data()
{
    QTest::addColumn<int>("action");
    QTest::addColumn<int>("call");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QString>("expectedState");
    QTest::newRow("retry failed") << int(ManualAction::RetryNow) << 6 << "number fixed"
                                  << "new";
    QTest::newRow("retry classification_failed") << int(ManualAction::RetryNow) << 7 << ""
                                                 << "new";
    QTest::newRow("retry waiting retry") << int(ManualAction::RetryNow) << 5 << "clinic asked"
                                         << "retry_pending";
    QTest::newRow("reset calling") << int(ManualAction::ResetStuck) << 3 << "hung"
                                   << "retry_pending";
    QTest::newRow("mark failed") << int(ManualAction::MarkFailed) << 2 << "clinic closed"
                                 << "failed";
    QTest::newRow("reclassify") << int(ManualAction::Reclassify) << 2 << "menu changed"
                                << "new";
}

void TestConsoleRepository::actionsMoveRowsAndRecordHistory()
{
    QFETCH(int, action);
    QFETCH(int, call);
    QFETCH(QString, reason);
    QFETCH(QString, expectedState);
    const auto manual = ManualAction(action);
    ConsoleRepository repository(m_db);
    const int eventsBefore = scalar(m_db, "SELECT count(*) FROM workflow_events").toInt();
    const QString before
            = scalar(m_db, "SELECT workflow_state FROM pending_calls WHERE id = '" + uuid(call) + "'")
                      .toString();

    const ActionOutcome outcome = repository.apply(manual, {uuid(call)}, reason, "dispatcher-anna");
    QVERIFY2(outcome.ok(), qPrintable(outcome.error));
    QCOMPARE(outcome.changed(), 1);
    QCOMPARE(outcome.changes.at(0).fromState, before);
    QCOMPARE(outcome.changes.at(0).toState, expectedState);
    QCOMPARE(workflow::stateName(manualActions::targetFrom(manual, workflow::stateFromName(before))),
             expectedState);

    const auto record = repository.call(uuid(call));
    QVERIFY(record);
    QCOMPARE(record->state, expectedState);
    if (expectedState != "failed")
        QVERIFY(record->nextActionAt <= QDateTime::currentDateTimeUtc().addSecs(1));
    if (manual == ManualAction::RetryNow && expectedState == "new") {
        QCOMPARE(record->retryCount, 0);
        QVERIFY(record->failureReason.isEmpty());
        QVERIFY(!record->failedAt.isValid());
    }
    if (manual == ManualAction::MarkFailed) {
        QCOMPARE(record->failureReason, reason);
        QCOMPARE(record->lastError, reason);
        QVERIFY(record->failedAt.isValid());
    }
    if (manual == ManualAction::Reclassify)
        QVERIFY(record->classificationId.isEmpty());

    QCOMPARE(scalar(m_db, "SELECT count(*) FROM workflow_events").toInt(), eventsBefore + 1);
    const auto history = repository.history(uuid(call));
    QVERIFY(history);
    const WorkflowEventRecord last = history->last();
    QCOMPARE(last.actor, "dispatcher-anna");
    QCOMPARE(last.fromState, before);
    QCOMPARE(last.toState, expectedState);
    QCOMPARE(last.reason, reason);
    QCOMPARE(last.event, transitions::eventName(manualActions::event(manual)));
}

void TestConsoleRepository::actionsSkipRowsNotAllowed()
{
    ConsoleRepository repository(m_db);
    // Reset stuck from new, ready_to_call and completed: not in the table; calling: allowed.
    const ActionOutcome outcome = repository.apply(
            ManualAction::ResetStuck, {uuid(1), uuid(2), uuid(8), uuid(3), "not-a-uuid"}, {}, "x");
    QVERIFY2(outcome.ok(), qPrintable(outcome.error));
    QCOMPARE(outcome.changed(), 1);
    QCOMPARE(outcome.changes.at(0).id, uuid(3));
    QCOMPARE(scalar(m_db, "SELECT workflow_state FROM pending_calls WHERE id = '" + uuid(1) + "'").toString(),
             "new");
    QCOMPARE(scalar(m_db, "SELECT workflow_state FROM pending_calls WHERE id = '" + uuid(8) + "'").toString(),
             "completed");
    // Completed calls cannot be touched by any action.
    for (ManualAction action : manualActions::all()) {
        QVERIFY(!manualActions::allowedFrom(action, WorkflowState::Completed));
        QCOMPARE(repository.apply(action, {uuid(8)}, "why", "x").changed(), 0);
    }
}

void TestConsoleRepository::actionAppliesToTheAttemptSeen()
{
    // The console showed attempt 1; the call has been dialled again since (attempt 2): the action
    // meant for what the dispatcher saw is not applied to what the call is now.
    QVERIFY(insert(m_db, {uuid(90), "EX-90", "Ann", "+1 212 555 0190", "North", "retry_pending"}));
    QSqlQuery query(m_db);
    QVERIFY(query.exec("UPDATE pending_calls SET attempt = 2 WHERE id = '" + uuid(90) + "'"));
    ConsoleRepository repository(m_db);
    ActionOutcome outcome = repository.apply(ManualAction::MarkFailed, {uuid(90)}, "wrong number", "x", {1});
    QVERIFY2(outcome.ok(), qPrintable(outcome.error));
    QCOMPARE(outcome.changed(), 0);
    QCOMPARE(outcome.requested, 1);
    outcome = repository.apply(ManualAction::MarkFailed, {uuid(90)}, "wrong number", "x", {2});
    QCOMPARE(outcome.changed(), 1);
    // Ids that are not calls are dropped with their attempts: the others still pair up.
    QVERIFY(insert(m_db, {uuid(91), "EX-91", "Bo", "+1 212 555 0191", "North", "failed"}));
    outcome = repository.apply(ManualAction::RetryNow, {"not-a-uuid", uuid(91)}, {}, "x", {7, 0});
    QVERIFY2(outcome.ok(), qPrintable(outcome.error));
    QCOMPARE(outcome.changed(), 1);
}

void TestConsoleRepository::liveCallsTakeNoActionUntilStuck()
{
    // A call in flight for a minute is live: resetting or failing it frees its number for another
    // call while it goes on. The default thresholds make calls in flight stuck after 10 minutes.
    QVERIFY(insert(m_db, {uuid(92), "EX-92", "Cy", "+1 212 555 0192", "Live", "calling", "1 minute"}));
    QVERIFY(insert(m_db, {uuid(93), "EX-93", "Di", "+1 212 555 0193", "Live", "classifying", "11 minutes"}));
    ConsoleRepository repository(m_db);
    for (ManualAction action : {ManualAction::ResetStuck, ManualAction::MarkFailed}) {
        const ActionOutcome outcome = repository.apply(action, {uuid(92)}, "why", "x");
        QVERIFY2(outcome.ok(), qPrintable(outcome.error));
        QCOMPARE(outcome.changed(), 0);
    }
    CallFilter calling;
    calling.states = {WorkflowState::Calling, WorkflowState::Classifying};
    calling.clinic = "Live";
    const ActionOutcome bulk = repository.applyToFilter(ManualAction::ResetStuck, calling, "sweep", "x");
    QVERIFY2(bulk.ok(), qPrintable(bulk.error));
    QCOMPARE(bulk.changed(), 1);
    QCOMPARE(bulk.changes.at(0).id, uuid(93));
    QCOMPARE(
            scalar(m_db, "SELECT workflow_state FROM pending_calls WHERE id = '" + uuid(92) + "'").toString(),
            "calling");
}

void TestConsoleRepository::markFailedWithoutReasonIsRefused()
{
    ConsoleRepository repository(m_db);
    const ActionOutcome outcome = repository.apply(ManualAction::MarkFailed, {uuid(1)}, "  ", "x");
    QVERIFY(!outcome.ok());
    QVERIFY2(outcome.error.contains("reason"), qPrintable(outcome.error));
    QCOMPARE(scalar(m_db, "SELECT workflow_state FROM pending_calls WHERE id = '" + uuid(1) + "'").toString(),
             "new");
}

void TestConsoleRepository::bulkActionOnTheFilter()
{
    // Many rows: the filter version runs in one statement whatever the count.
    QSqlQuery query(m_db);
    QVERIFY(query.exec("INSERT INTO pending_calls (exam_id, phone, clinic_name, workflow_state) "
                       "SELECT 'BULK-' || g, '+1555300' || lpad(g::text, 4, '0'), 'Bulk Clinic', "
                       "CASE WHEN g % 2 = 0 THEN 'ready_to_call' ELSE 'completed' END "
                       "FROM generate_series(1, 2000) g"));
    ConsoleRepository repository(m_db);
    CallFilter filter;
    filter.clinic = "Bulk Clinic";
    QCOMPARE(*repository.count(filter), 2000);
    const ActionOutcome outcome
            = repository.applyToFilter(ManualAction::MarkFailed, filter, "clinic closed", "ops");
    QVERIFY2(outcome.ok(), qPrintable(outcome.error));
    QCOMPARE(outcome.changed(), 1000);
    QCOMPARE(scalar(m_db,
                    "SELECT count(*) FROM pending_calls WHERE clinic_name = 'Bulk Clinic' "
                    "AND workflow_state = 'failed' AND failure_reason = 'clinic closed'")
                     .toInt(),
             1000);
    QCOMPARE(scalar(m_db,
                    "SELECT count(*) FROM workflow_events WHERE actor = 'ops' AND reason = 'clinic closed'")
                     .toInt(),
             1000);
    // Other clinics untouched.
    QCOMPARE(scalar(m_db, "SELECT workflow_state FROM pending_calls WHERE id = '" + uuid(2) + "'").toString(),
             "ready_to_call");

    // Stuck-only filter: Reset all stuck.
    CallFilter stuck;
    stuck.stuckOnly = true;
    const ActionOutcome reset = repository.applyToFilter(ManualAction::ResetStuck, stuck, "sweep", "ops");
    QVERIFY2(reset.ok(), qPrintable(reset.error));
    QCOMPARE(reset.changed(), 1);
    QCOMPARE(reset.changes.at(0).id, uuid(3));
}

void TestConsoleRepository::historyCanBeSearchedByReason()
{
    ConsoleRepository repository(m_db);
    QVERIFY(repository.apply(ManualAction::MarkFailed, {uuid(1)}, "Clinic moved to a new number", "ana")
                    .ok());
    QVERIFY(repository.apply(ManualAction::Reclassify, {uuid(2)}, "IVR menu changed", "bob").ok());
    const auto found = repository.searchHistory("new NUMBER");
    QVERIFY2(found, qPrintable(found.error()));
    QCOMPARE(found->size(), 1);
    QCOMPARE(found->at(0).callId, uuid(1));
    QCOMPARE(found->at(0).actor, "ana");
    QCOMPARE(repository.searchHistory("%")->size(), 0);
}

void TestConsoleRepository::failuresForReports()
{
    ConsoleRepository repository(m_db);
    auto rows = repository.failures({}, {});
    QVERIFY2(rows, qPrintable(rows.error()));
    QCOMPARE(rows->size(), 2);
    QCOMPARE(rows->at(0).id, uuid(7)); // the older failure first
    rows = repository.failures(QDateTime::currentDateTimeUtc().addSecs(-36 * 3600), {});
    QCOMPARE(rows->size(), 1);
    QCOMPARE(rows->at(0).id, uuid(6));
    rows = repository.failures({}, QDateTime::currentDateTimeUtc().addSecs(-36 * 3600));
    QCOMPARE(rows->size(), 1);
    QCOMPARE(rows->at(0).id, uuid(7));
    rows = repository.failures({}, {}, {WorkflowState::Failed});
    QCOMPARE(rows->size(), 1);
    rows = repository.failures({}, {}, {}, "East Clinic");
    QCOMPARE(rows->size(), 1);
    QCOMPARE(rows->at(0).failureReason, "=HYPERLINK(\"x\")");
}

void TestConsoleRepository::actionFunctionsAreNotPublic()
{
    for (const char *function :
         {"callops_apply_manual_action(text,uuid[],text,text)",
          "callops_apply_manual_action_to_filter(text,text[],text,text,timestamptz,timestamptz,text,text[],"
          "int[],text,"
          "text)",
          "callops_count_matching(text[],text,text,timestamptz,timestamptz,text,text[],int[])"}) {
        QSqlQuery query(m_db);
        query.prepare("SELECT has_function_privilege('public', :f, 'EXECUTE'), "
                      "(SELECT prosecdef FROM pg_proc WHERE oid = CAST(:f2 AS regprocedure)), "
                      "(SELECT proconfig FROM pg_proc WHERE oid = CAST(:f3 AS regprocedure))::text");
        query.bindValue(":f", function);
        query.bindValue(":f2", function);
        query.bindValue(":f3", function);
        QVERIFY2(query.exec() && query.next(), qPrintable(query.lastError().text()));
        QVERIFY2(!query.value(0).toBool(), function);
        QVERIFY2(query.value(1).toBool(), function); // SECURITY DEFINER
        QVERIFY2(query.value(2).toString().contains("search_path"), function);
    }
}

void TestConsoleRepository::cancelledReadSaysSoAndLeavesTheSessionUsable_data()
{
    QTest::addColumn<bool>("page");
    QTest::newRow("count") << false;
    QTest::newRow("page") << true;
}

void TestConsoleRepository::cancelledReadSaysSoAndLeavesTheSessionUsable()
{
    QFETCH(bool, page);
    ConsoleRepository repository(m_db);
    const std::shared_ptr<QueryCanceller> canceller = QueryCanceller::forConnection(m_db);
    QVERIFY(canceller);
    // Another session holds the search's side table: a search waits for it until cancelled.
    TableLock lock(*m_database, QStringLiteral("pending_call_search"));
    QVERIFY2(lock.isHeld(), qPrintable(lock.error()));
    // From another thread, as the console sends it: this one waits in the read.
    Status sent = Error{QStringLiteral("not sent: the read did not wait for the lock")};
    std::thread sender = LockRace::onOwnConnection(*m_database, QStringLiteral("cancel-watcher"),
                                                   [&](const QSqlDatabase &watch) {
                                                       if (LockRace::waitForLockWait(watch))
                                                           sent = canceller->cancel();
                                                   });
    CallFilter filter;
    filter.search = QStringLiteral("EX-100");
    const QString error
            = page ? repository.page(filter, CallSort{}, 0, 50).error() : repository.count(filter).error();
    sender.join();
    QVERIFY2(sent, qPrintable(sent.error()));
    QVERIFY2(!error.isEmpty(), "the read was not cancelled");
    QVERIFY2(repository.lastReadCancelled(), qPrintable(error));
    lock.release();

    // No transaction left open or aborted: the same session reads on.
    const auto total = repository.count(filter);
    QVERIFY2(total, qPrintable(total.error()));
    QCOMPARE(*total, 9);
    QVERIFY(!repository.lastReadCancelled());
    const auto rows = repository.page(filter, CallSort{}, 0, 50);
    QVERIFY2(rows, qPrintable(rows.error()));
    QCOMPARE(rows->size(), 9);
}

QTEST_GUILESS_MAIN(TestConsoleRepository)
#include "TestConsoleRepository.moc"
