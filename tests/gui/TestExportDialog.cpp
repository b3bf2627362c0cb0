#include "TestDatabase.h"
#include "console/ConsoleThread.h"
#include "console/ConsoleWorker.h"
#include "dialogs/ExportDialog.h"

#include <QApplication>
#include <QCheckBox>
#include <QDateEdit>
#include <QDialogButtonBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <ctime>
#include <memory>

using namespace callops;
using namespace callops::test;

// File → Export failures… as the dispatcher uses it: the period in their own days, an existing
// file replaced only when they agree, one export at a time.
class TestExportDialog : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void existingFileIsReplacedOnlyWhenAgreed();
    void periodIsTheDispatchersWholeDays();
    void pdfExportTellsItsProgress();
    void consoleStaysLiveDuringALargeExport();

private:
    QLineEdit *pathField(ExportDialog &dialog);
    QPushButton *exportButton(ExportDialog &dialog);
    // Clicks Export; answers a question about replacing a file with `answer`, and returns whether
    // one was asked.
    bool clickExport(ExportDialog &dialog, QMessageBox::StandardButton answer);

    std::unique_ptr<TestDatabase> m_database;
    std::unique_ptr<ConsoleThread> m_thread;
    QTemporaryDir m_dir;
};

void TestExportDialog::initTestCase()
{
    // The dispatcher is in New York, whatever this machine's zone.
    qputenv("TZ", "America/New_York");
    tzset();
}

void TestExportDialog::init()
{
    m_database = std::make_unique<TestDatabase>(QString::fromLatin1(QTest::currentTestFunction()));
    QVERIFY2(m_database->isValid(), qPrintable(m_database->error()));
    QVERIFY2(m_database->migrate(), qPrintable(m_database->error()));
    QSqlQuery query(m_database->connection());
    QVERIFY2(query.exec("INSERT INTO pending_calls (exam_id, employee_name, phone, clinic_name, "
                        "workflow_state, failure_reason, failed_at) VALUES "
                        "('EX-OCT31', 'Before', '+12127365000', 'Midtown', 'failed', 'x', "
                        "'2026-11-01 03:30+00'), "
                        "('EX-NOV30', 'Last', '+12127365000', 'Midtown', 'failed', 'x', "
                        "'2026-12-01 04:30+00')"),
             qPrintable(query.lastError().text()));
    m_thread = std::make_unique<ConsoleThread>();
    ConsoleWorker *worker = m_thread->worker();
    const QString url = m_database->url();
    QMetaObject::invokeMethod(worker, [worker, url] { worker->openDatabase(url); });
}

void TestExportDialog::cleanup()
{
    m_thread.reset();
    m_database.reset();
}

QLineEdit *TestExportDialog::pathField(ExportDialog &dialog)
{
    for (QLabel *label : dialog.findChildren<QLabel *>()) {
        if (label->text().startsWith(QStringLiteral("&File")))
            return qobject_cast<QLineEdit *>(label->buddy());
    }
    return nullptr;
}

QPushButton *TestExportDialog::exportButton(ExportDialog &dialog)
{
    for (QPushButton *button : dialog.findChild<QDialogButtonBox *>()->findChildren<QPushButton *>()) {
        if (button->text() == u"&Export")
            return button;
    }
    return nullptr;
}

bool TestExportDialog::clickExport(ExportDialog &dialog, QMessageBox::StandardButton answer)
{
    bool asked = false;
    QTimer::singleShot(0, &dialog, [&asked, answer] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box)
            return;
        asked = box->text().contains(QStringLiteral("already exists"));
        box->button(answer)->click();
    });
    exportButton(dialog)->click();
    QCoreApplication::processEvents();
    return asked;
}

void TestExportDialog::existingFileIsReplacedOnlyWhenAgreed()
{
    const QString path = m_dir.filePath("report.csv");
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("last month's report");
    }
    ExportDialog dialog(m_thread->worker());
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QVERIFY(pathField(dialog));
    pathField(dialog)->setText(path);
    QSignalSpy finished(m_thread->worker(), &ConsoleWorker::exportFinished);

    QVERIFY2(clickExport(dialog, QMessageBox::No), "no question before replacing the file");
    QVERIFY(exportButton(dialog)->isEnabled());
    QFile kept(path);
    QVERIFY(kept.open(QIODevice::ReadOnly));
    QCOMPARE(kept.readAll(), QByteArray("last month's report"));
    kept.close();

    QVERIFY(clickExport(dialog, QMessageBox::Yes));
    // One export at a time: Export waits for this one to finish.
    QVERIFY(!exportButton(dialog)->isEnabled());
    QVERIFY(finished.wait(30000));
    QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
    QTRY_VERIFY(exportButton(dialog)->isEnabled());
    QFile replaced(path);
    QVERIFY(replaced.open(QIODevice::ReadOnly));
    QVERIFY(replaced.readAll().contains("call_id,"));
}

void TestExportDialog::periodIsTheDispatchersWholeDays()
{
    ExportDialog dialog(m_thread->worker());
    dialog.show();
    const QString path = m_dir.filePath("november.csv");
    pathField(dialog)->setText(path);
    const QList<QCheckBox *> boxes = dialog.findChildren<QCheckBox *>();
    const QList<QDateEdit *> dates = dialog.findChildren<QDateEdit *>();
    QCOMPARE(dates.size(), 2);
    for (QCheckBox *box : boxes) {
        if (box->text() == u"From" || box->text() == u"&To")
            box->setChecked(true);
    }
    dates.at(0)->setDate(QDate(2026, 11, 1));
    dates.at(1)->setDate(QDate(2026, 11, 30));
    QSignalSpy finished(m_thread->worker(), &ConsoleWorker::exportFinished);
    QVERIFY(!clickExport(dialog, QMessageBox::No));
    QVERIFY(finished.wait(30000));
    QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString csv = QString::fromUtf8(file.readAll());
    QVERIFY2(!csv.contains("EX-OCT31"), qPrintable(csv));
    QVERIFY2(csv.contains("EX-NOV30"), qPrintable(csv));
    QVERIFY2(csv.contains("2026-11-30T23:30:00-05:00"), qPrintable(csv));
}

void TestExportDialog::pdfExportTellsItsProgress()
{
    QSqlQuery query(m_database->connection());
    QVERIFY2(query.exec("INSERT INTO pending_calls (exam_id, employee_name, phone, clinic_name, "
                        "workflow_state, failure_reason, failed_at) "
                        "SELECT 'EX-' || i, 'Employee ' || i, '+12127365000', 'Midtown', 'failed', 'x', "
                        "'2026-11-10 12:00+00' FROM generate_series(1, 498) AS i"),
             qPrintable(query.lastError().text()));
    ExportDialog dialog(m_thread->worker());
    dialog.show();
    pathField(dialog)->setText(m_dir.filePath("large.pdf"));
    for (QCheckBox *box : dialog.findChildren<QCheckBox *>()) {
        if (box->text() == u"From")
            box->setChecked(false); // all of them
    }
    QSignalSpy progressed(m_thread->worker(), &ConsoleWorker::exportProgressed);
    QSignalSpy finished(m_thread->worker(), &ConsoleWorker::exportFinished);
    QVERIFY(!clickExport(dialog, QMessageBox::No));
    QVERIFY(finished.wait(60000));
    QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
    QVERIFY(progressed.size() > 10);
    QCOMPARE(progressed.last().at(0).toLongLong(), 500);
    QCOMPARE(progressed.last().at(1).toLongLong(), 500);
}

// A report of thousands of calls takes seconds to lay out; the counts and the table must not wait
// for it.
void TestExportDialog::consoleStaysLiveDuringALargeExport()
{
    QSqlQuery query(m_database->connection());
    QVERIFY2(query.exec(
                     "INSERT INTO pending_calls (exam_id, employee_name, phone, clinic_name, workflow_state, "
                     "failure_reason, failed_at) SELECT 'EX-' || i, 'Employee ' || i, "
                     "'+1 212 736 ' || lpad((i % 10000)::text, 4, '0'), 'Midtown', 'failed', "
                     "'Max retries exceeded', '2026-11-10 12:00+00' FROM generate_series(1, 10000) AS i"),
             qPrintable(query.lastError().text()));
    ConsoleWorker *worker = m_thread->worker();
    QStringList order;
    connect(worker, &ConsoleWorker::countsLoaded, this, [&order] { order << QStringLiteral("counts"); });
    connect(worker, &ConsoleWorker::exportFinished, this, [&order] { order << QStringLiteral("export"); });
    QSignalSpy finished(worker, &ConsoleWorker::exportFinished);
    const QString path = m_dir.filePath("thousands.pdf");
    FailureReportOptions options;
    QMetaObject::invokeMethod(worker, [worker, path, options] { worker->exportFailures(path, options); });
    QMetaObject::invokeMethod(worker, [worker] { worker->refreshCounts(); });
    QVERIFY(finished.wait(120000));
    QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
    QCOMPARE(order.value(0), QStringLiteral("counts"));
}

QTEST_MAIN(TestExportDialog)
#include "TestExportDialog.moc"
