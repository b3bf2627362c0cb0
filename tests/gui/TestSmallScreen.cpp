#include "MainWindow.h"
#include "TestDatabase.h"
#include "calls/CallDetailPane.h"
#include "calls/CallTableModel.h"
#include "calls/ElidedComboBox.h"
#include "dashboard/StateListView.h"
#include "i18n/Translation.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QScreen>
#include <QSplitter>
#include <QSqlError>
#include <QSqlQuery>
#include <QStatusBar>
#include <QTableView>
#include <QTest>

using namespace callops;
using namespace callops::test;

namespace {

// Long clinic names and failure reasons (as real data has them, and longer in Spanish), in every
// state, so that whatever sizes itself to its contents has something to grow on.
const char *kSeed = R"SQL(
INSERT INTO pending_calls (id, exam_id, employee_name, employee_dob, phone, clinic_name, workflow_state,
                           state_changed_at, updated_at, next_action_at, retry_count, failure_reason,
                           failed_at, last_error, locked_by)
SELECT ('00000000-0000-0000-0000-' || lpad(g::text, 12, '0'))::uuid,
       'EX-' || (1000 + g), 'Employee with a rather long name number ' || g, DATE '1980-01-01' + g,
       '+1 555 200 ' || lpad(g::text, 4, '0'),
       (ARRAY['Centro de Diagnóstico por Imágenes y Medicina Ocupacional del Valle de México, Sucursal Polanco',
              'Northwestern Occupational Health and Pre-Employment Screening Center of Greater Chicago',
              'Clínica de Salud Laboral y Reconocimientos Médicos de la Comunidad de Madrid (Chamartín)',
              'Short Clinic'])[1 + g % 4],
       (ARRAY['new', 'checking_classification', 'needs_classification', 'classifying', 'classification_pending',
              'ready_to_call', 'calling', 'retry_pending', 'completed', 'failed',
              'classification_failed'])[1 + g % 11],
       now() - interval '5 minutes', now() - interval '5 minutes', now() + interval '1 hour', g % 3,
       CASE WHEN g % 11 IN (9, 10) THEN (ARRAY[
           'Permanent HTTP error 422 from pre-classify-call: the phone number is not a valid number for the clinic''s region and cannot be dialled',
           'Max retries exceeded after the IVR menu could not be navigated to a human receptionist within the allowed time'])[1 + g % 2] END,
       CASE WHEN g % 11 IN (9, 10) THEN now() END,
       'Transient error: the telephony provider answered 503 Service Unavailable, retrying with backoff',
       'scheduler-host-with-a-long-name.example.internal:4242'
FROM generate_series(1, 60) g;
)SQL";

QString uuid(int n)
{
    return QStringLiteral("00000000-0000-0000-0000-%1").arg(n, 12, 10, QLatin1Char('0'));
}

// The fields of the details pane whose labels must be read whole.
QList<QLabel *> formLabels(CallDetailPane *pane)
{
    QList<QLabel *> labels;
    for (QFormLayout *form : pane->findChildren<QFormLayout *>()) {
        for (int row = 0; row < form->rowCount(); ++row) {
            if (auto *item = form->itemAt(row, QFormLayout::LabelRole)) {
                if (auto *label = qobject_cast<QLabel *>(item->widget()))
                    labels.append(label);
            }
        }
    }
    return labels;
}

QString describeWidths(MainWindow &window)
{
    QStringList parts;
    parts << QStringLiteral("frame %1×%2")
                     .arg(window.frameGeometry().width())
                     .arg(window.frameGeometry().height());
    parts << QStringLiteral("minimum %1").arg(window.minimumSizeHint().width());
    if (auto *splitter = window.findChild<QSplitter *>(QStringLiteral("mainSplitter"))) {
        QStringList sizes;
        for (int size : splitter->sizes())
            sizes << QString::number(size);
        parts << QStringLiteral("splitter %1").arg(sizes.join(QLatin1Char('/')));
    }
    parts << QStringLiteral("statusBar min %1").arg(window.statusBar()->minimumSizeHint().width());
    for (const char *name : {"clinicFilter", "failureReasonFilter", "periodFilter", "search"}) {
        if (auto *widget = window.findChild<QWidget *>(QLatin1String(name)))
            parts << QStringLiteral("%1 %2 (min %3)")
                             .arg(QLatin1String(name))
                             .arg(widget->width())
                             .arg(widget->minimumSizeHint().width());
    }
    return parts.join(QStringLiteral(", "));
}

} // namespace

// The console on a small laptop's 1024 × 768 screen, with real data loaded: the window fits the
// screen and the details pane is readable, in English and in Spanish. The screen is set by main()
// below (offscreen's own is 800 × 800).
class TestSmallScreen : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void consoleFitsASmallScreen_data();
    void consoleFitsASmallScreen();

private:
    std::unique_ptr<TestDatabase> m_database;
};

void TestSmallScreen::init()
{
    m_database = std::make_unique<TestDatabase>(QString::fromLatin1(QTest::currentTestFunction()));
    QVERIFY2(m_database->isValid(), qPrintable(m_database->error()));
    QVERIFY2(m_database->migrate(), qPrintable(m_database->error()));
    QSqlQuery query(m_database->connection());
    QVERIFY2(query.exec(QString::fromUtf8(kSeed)), qPrintable(query.lastError().text()));
}

void TestSmallScreen::cleanup()
{
    m_database.reset();
}

void TestSmallScreen::consoleFitsASmallScreen_data()
{
    QTest::addColumn<QString>("language");
    // English first: a translator installed later is asked first, and English has none of its own.
    QTest::newRow("en") << QStringLiteral("en");
    QTest::newRow("es") << QStringLiteral("es");
}

void TestSmallScreen::consoleFitsASmallScreen()
{
    QFETCH(QString, language);
    translation::install(language);
    const QRect available = QGuiApplication::primaryScreen()->availableGeometry();
    QCOMPARE(available.size(), QSize(1024, 768));

    MainWindow window;
    window.setRefreshIntervalSeconds(3600);
    window.connectToDatabase(m_database->url());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    // Everything that sizes itself to the data is in: rows, counts, both filter lists, a call.
    auto *clinics = window.findChild<QComboBox *>(QStringLiteral("clinicFilter"));
    auto *reasons = window.findChild<QComboBox *>(QStringLiteral("failureReasonFilter"));
    auto *period = window.findChild<QComboBox *>(QStringLiteral("periodFilter"));
    QVERIFY(clinics && reasons && period);
    QTRY_COMPARE(clinics->count(), 5);
    QTRY_COMPARE(reasons->count(), 3);
    QTRY_VERIFY(window.model()->rowCount() > 0);
    QTRY_COMPARE(window.stateList()->shownCount(WorkflowState::Failed), 5);
    const int row = window.model()->rowOfCall(uuid(9));
    QVERIFY(row >= 0);
    window.table()->selectRow(row);
    CallDetailPane *pane = window.detailPane();
    QTRY_COMPARE(pane->callId(), uuid(9));
    // Layouts settle.
    QTest::qWait(200);

    const QString widths = describeWidths(window);
    qInfo().noquote() << language << widths;
    QVERIFY2(window.frameGeometry().width() <= available.width(), qPrintable(widths));
    QVERIFY2(window.frameGeometry().height() <= available.height(), qPrintable(widths));
    QVERIFY2(available.contains(window.frameGeometry()), qPrintable(widths));
    QVERIFY2(pane->isVisible() && pane->width() >= 240, qPrintable(widths));

    for (QLabel *label : formLabels(pane)) {
        const int needed = label->fontMetrics().horizontalAdvance(label->text().remove(QLatin1Char('&')));
        QVERIFY2(needed <= label->width(),
                 qPrintable(QStringLiteral("\"%1\" needs %2 px, has %3; %4")
                                    .arg(label->text())
                                    .arg(needed)
                                    .arg(label->width())
                                    .arg(widths)));
    }
    // Short values read whole, beside their labels or under them.
    for (const char *field : {"exam", "state", "retries", "attempt"}) {
        auto *value = pane->findChild<QLabel *>(QLatin1String(field));
        QVERIFY2(value, field);
        const int needed = value->fontMetrics().horizontalAdvance(value->text());
        QVERIFY2(needed <= value->width(),
                 qPrintable(QStringLiteral("%1 \"%2\" needs %3 px, has %4")
                                    .arg(QLatin1String(field), value->text())
                                    .arg(needed)
                                    .arg(value->width())));
    }

    // Long values (the 80-character clinic, the phone with its stored form) wrap onto every line
    // they need.
    for (QLabel *value : pane->findChildren<QLabel *>()) {
        if (!value->wordWrap() || value->text().isEmpty() || !value->isVisible()
            || value->objectName().isEmpty())
            continue;
        const int needed = value->heightForWidth(value->width());
        QVERIFY2(value->height() >= needed,
                 qPrintable(QStringLiteral("%1 \"%2\" is %3 px high, needs %4")
                                    .arg(value->objectName(), value->text())
                                    .arg(value->height())
                                    .arg(needed)));
    }

    // The filters keep a bounded width; their lists are wide enough to read the long entries.
    for (QComboBox *box : {clinics, reasons, period}) {
        QVERIFY2(box->width() <= available.width() / 4,
                 qPrintable(QStringLiteral("%1: %2").arg(box->objectName(), widths)));
        int longest = 0;
        for (int i = 0; i < box->count(); ++i)
            longest = std::max(longest, box->view()->fontMetrics().horizontalAdvance(box->itemText(i)));
        box->showPopup();
        QTRY_VERIFY(box->view()->isVisible());
        const int shown = box->view()->viewport()->width();
        box->hidePopup();
        QVERIFY2(shown >= std::min(longest, available.width() * 2 / 3),
                 qPrintable(QStringLiteral("%1's list is %2 px wide, its longest entry %3 px")
                                    .arg(box->objectName())
                                    .arg(shown)
                                    .arg(longest)));
    }

    // A long clinic chosen in its filter ends with "…" where it is cut, rather than reading as
    // another name.
    auto *clinicBox = qobject_cast<ElidedComboBox *>(clinics);
    QVERIFY(clinicBox);
    int longestClinic = 0;
    for (int i = 1; i < clinics->count(); ++i) {
        if (clinics->itemText(i).size() > clinics->itemText(longestClinic).size())
            longestClinic = i;
    }
    clinics->setCurrentIndex(longestClinic);
    QVERIFY2(clinicBox->isElided(), qPrintable(clinics->currentText()));
    clinics->setCurrentIndex(0);

    // The splitter still moves: the details give width back to the table, and take it again.
    auto *splitter = window.findChild<QSplitter *>(QStringLiteral("mainSplitter"));
    QVERIFY(splitter);
    const QList<int> before = splitter->sizes();
    QCOMPARE(before.size(), 3);
    QList<int> sizes = before;
    sizes[1] += 40;
    sizes[2] -= 40;
    splitter->setSizes(sizes);
    QCOMPARE(splitter->sizes(), sizes);
    splitter->setSizes(before);
    QCOMPARE(splitter->sizes(), before);
}

int main(int argc, char **argv)
{
    // A small laptop's screen in place of the offscreen platform's default.
    qputenv("QT_QPA_PLATFORM",
            "offscreen:configfile=" CALLOPS_SOURCE_DIR "/tests/data/offscreen-1024x768.json");
    QApplication app(argc, argv);
    TestSmallScreen test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "TestSmallScreen.moc"
