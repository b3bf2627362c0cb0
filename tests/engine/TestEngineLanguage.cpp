#include "ContractServer.h"
#include "SignalArrival.h"
#include "TestDatabase.h"
#include "i18n/SourceLanguage.h"
#include "i18n/Translation.h"
#include "phone/PhoneNumberNormalizer.h"
#include "scheduler/SchedulerEngine.h"
#include "scheduler/SchedulerThread.h"

#include <QCoreApplication>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTest>

using namespace callops;
using namespace callops::test;

// An engine run by a console in Spanish writes what every console and server reads (a call's
// failure_reason and last_error) and the journal in the source language, as the headless
// scheduler does; only what it tells its own console is translated.
class TestEngineLanguage : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void rowsAndJournalInTheSourceLanguage();

private:
    QString column(const QString &name, const QString &id);

    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<ContractServer> m_server;
};

namespace {

QStringList g_journal;

void keepJournal(QtMsgType, const QMessageLogContext &context, const QString &message)
{
    if (QByteArrayView(context.category).startsWith("callops."))
        g_journal.append(message);
}

} // namespace

void TestEngineLanguage::initTestCase()
{
    QVERIFY(translation::install(QStringLiteral("es")));
    // The test means something only if the console's language is really in force here.
    QVERIFY(QCoreApplication::translate("PassPlanner", "Invalid phone number: %1")
            != QLatin1String("Invalid phone number: %1"));
}

void TestEngineLanguage::init()
{
    m_db = std::make_unique<TestDatabase>(QString::fromLatin1(QTest::currentTestFunction()));
    QVERIFY2(m_db->isValid() && m_db->migrate(), qPrintable(m_db->error()));
    m_server = std::make_unique<ContractServer>();
}

void TestEngineLanguage::cleanup()
{
    m_server.reset();
    m_db.reset();
}

QString TestEngineLanguage::column(const QString &name, const QString &id)
{
    return scalar(m_db->connection(),
                  QStringLiteral("SELECT %1 FROM pending_calls WHERE id = '%2'").arg(name, id))
            .toString();
}

void TestEngineLanguage::rowsAndJournalInTheSourceLanguage()
{
    const QString badNumber = insertPendingCall(m_db->connection(), QStringLiteral("ready_to_call"),
                                                QStringLiteral("555-12"));
    const QString slowAnswer = insertPendingCall(m_db->connection(), QStringLiteral("ready_to_call"),
                                                 QStringLiteral("+1 212-736-5000"));
    QVERIFY(!badNumber.isEmpty() && !slowAnswer.isEmpty());
    QSqlQuery change(m_db->connection());
    QVERIFY(change.exec(QStringLiteral("ALTER TABLE pending_calls DROP CONSTRAINT valid_workflow_state")));
    const QString odd = insertPendingCall(m_db->connection(), QStringLiteral("on_hold"),
                                          QStringLiteral("+44 20 7946 0000"));
    QVERIFY(change.exec(
            QStringLiteral(
                    "UPDATE pending_calls SET next_action_at = now() - interval '1 hour' WHERE id = '%1'")
                    .arg(odd)));
    m_server->setAnswerDelayMs(3000);

    SchedulerConfig config;
    config.database = m_db->settings();
    config.supabaseUrl = m_server->baseUrl();
    config.serviceKey = QStringLiteral("test-service-key");
    config.callsPerSecond = 0;
    config.callingHours = QStringLiteral("mon-sun 00:00-24:00");
    config.continuous = false;
    config.httpTimeoutMs = 300;
    g_journal.clear();
    const QtMessageHandler previous = qInstallMessageHandler(keepJournal);
    QStringList toConsole;
    {
        SchedulerThread scheduler(config);
        QSignalSpy finished(scheduler.engine(), &SchedulerEngine::passFinished);
        QObject::connect(scheduler.engine(), &SchedulerEngine::errorOccurred, this,
                         [&toConsole](const QString &message) { toConsole.append(message); });
        scheduler.start();
        QVERIFY(arrives(finished, 20000));
        QTRY_VERIFY_WITH_TIMEOUT(column(QStringLiteral("workflow_state"), slowAnswer)
                                         == QLatin1String("ready_to_call"),
                                 20000);
        scheduler.stopAndWait(10000);
    }
    qInstallMessageHandler(previous);

    // The number's own fault, as the normaliser says it in English.
    const QString numberError = SourceLanguage::text([] {
        return PhoneNumberNormalizer(QStringLiteral("US")).normalize(QStringLiteral("555-12")).error();
    });
    QCOMPARE(column(QStringLiteral("failure_reason"), badNumber),
             QStringLiteral("Invalid phone number: %1").arg(numberError));
    QCOMPARE(column(QStringLiteral("last_error"), slowAnswer), QStringLiteral("no answer within 300 ms"));
    QCOMPARE(column(QStringLiteral("last_error"), odd),
             QStringLiteral("Call %1 is in unknown state \"on_hold\": skipped").arg(odd));

    // The engine's own console hears it in Spanish; the journal reads it in English.
    const QString spanish = QCoreApplication::translate("callops::SchedulerEngine",
                                                        "Call %1 is in unknown state \"%2\": skipped")
                                    .arg(odd, QStringLiteral("on_hold"));
    QVERIFY(spanish != column(QStringLiteral("last_error"), odd));
    QVERIFY2(toConsole.contains(spanish), qPrintable(toConsole.join(u'\n')));
    QVERIFY2(g_journal.contains(column(QStringLiteral("last_error"), odd)),
             qPrintable(g_journal.join(u'\n')));
    QVERIFY2(!g_journal.contains(spanish), qPrintable(g_journal.join(u'\n')));
}

QTEST_GUILESS_MAIN(TestEngineLanguage)
#include "TestEngineLanguage.moc"
