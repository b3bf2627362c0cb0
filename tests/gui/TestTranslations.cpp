#include "MainWindow.h"
#include "calls/CallDetailPane.h"
#include "console/CallRecord.h"
#include "dashboard/StateListView.h"
#include "db/ConnectionSettings.h"
#include "i18n/Translation.h"
#include "phone/PhoneNumberNormalizer.h"
#include "scheduler/CallingWindow.h"

#include <QAction>
#include <QFile>
#include <QHeaderView>
#include <QLibraryInfo>
#include <QProcess>
#include <QScrollArea>
#include <QStyle>
#include <QStyleOptionViewItem>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidgetItemIterator>
#include <QXmlStreamReader>

using namespace callops;

namespace {

struct TsCount
{
    int messages = 0;
    int unfinished = 0;
    bool ok = false;
};

TsCount countMessages(const QString &path)
{
    TsCount count;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return count; // ok stays false
    QXmlStreamReader xml(&file);
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        if (xml.name() == u"message")
            ++count.messages;
        if (xml.name() == u"translation") {
            const auto type = xml.attributes().value(QStringLiteral("type"));
            if (type == u"unfinished" || type == u"vanished" || type == u"obsolete")
                ++count.unfinished;
        }
    }
    count.ok = !xml.hasError();
    return count;
}

// Every label of the state list is shown whole at the window's first size: the text rectangle the
// style gives its cell in column 0 is at least as wide as the text.
void verifyNoStateLabelIsCut(MainWindow &window, QSize size = {1280, 800})
{
    // The offscreen screen is 800 × 600; a dispatcher's is at least 1280 × 800, a small laptop's
    // 1024 × 600.
    window.resize(size);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    StateListView *list = window.stateList();
    QHeaderView *header = list->header();
    int checked = 0;
    for (QTreeWidgetItemIterator it(list); *it; ++it) {
        QTreeWidgetItem *item = *it;
        if (item->isHidden())
            continue;
        QStyleOptionViewItem option;
        option.initFrom(list->viewport());
        option.rect = list->visualItemRect(item);
        option.rect.setRight(header->sectionViewportPosition(1) - 1);
        option.features = QStyleOptionViewItem::HasDisplay | QStyleOptionViewItem::HasDecoration;
        option.text = item->text(0);
        option.icon = item->icon(0);
        option.font = item->font(0);
        option.fontMetrics = QFontMetrics(option.font);
        option.decorationSize = list->iconSize().isValid() ? list->iconSize() : QSize(16, 16);
        const QRect text = list->style()->subElementRect(QStyle::SE_ItemViewItemText, &option, list);
        const int needed = option.fontMetrics.horizontalAdvance(option.text);
        QVERIFY2(text.width() >= needed,
                 qPrintable(QStringLiteral("\"%1\" needs %2 px, its cell gives %3")
                                    .arg(option.text)
                                    .arg(needed)
                                    .arg(text.width())));
        ++checked;
    }
    QVERIFY(checked >= 10);
}

} // namespace

// The Spanish translation is complete and is what the console shows with --lang es.
class TestTranslations : public QObject
{
    Q_OBJECT

private slots:
    void spanishIsComplete();
    void everyStringInTheSourcesIsTranslated();
    void stateLabelsAreShownWhole();
    void stateLabelsAreShownWholeOnASmallScreen();
    void consoleSpeaksSpanish();
    void coreMessagesSpeakSpanish();
    void spanishDetailsStayInsideThePane();
};

void TestTranslations::spanishIsComplete()
{
    const TsCount count = countMessages(QStringLiteral(CALLOPS_SOURCE_DIR "/translations/callops_es.ts"));
    QVERIFY(count.ok);
    QVERIFY(count.messages > 100);
    QCOMPARE(count.unfinished, 0);
}

// The .ts file is complete only if it holds every tr() of the sources: lupdate (as the comment in
// core/CMakeLists.txt runs it) over a copy must find nothing new to translate.
void TestTranslations::everyStringInTheSourcesIsTranslated()
{
    QString lupdate = QLibraryInfo::path(QLibraryInfo::BinariesPath) + QStringLiteral("/lupdate");
    if (!QFile::exists(lupdate))
        lupdate = QLibraryInfo::path(QLibraryInfo::LibraryExecutablesPath) + QStringLiteral("/lupdate");
    QVERIFY2(QFile::exists(lupdate), "lupdate not found: install qt6-l10n-tools");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString copy = dir.filePath(QStringLiteral("callops_es.ts"));
    QVERIFY(QFile::copy(QStringLiteral(CALLOPS_SOURCE_DIR "/translations/callops_es.ts"), copy));
    QFile::setPermissions(copy, QFile::ReadOwner | QFile::WriteOwner);
    QProcess process;
    process.setWorkingDirectory(QStringLiteral(CALLOPS_SOURCE_DIR));
    process.start(lupdate,
                  {QStringLiteral("-no-obsolete"), QStringLiteral("-locations"), QStringLiteral("none"),
                   QStringLiteral("core"), QStringLiteral("ui"), QStringLiteral("app"), QStringLiteral("-ts"),
                   copy});
    QVERIFY(process.waitForFinished(120000));
    QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
    const TsCount before = countMessages(QStringLiteral(CALLOPS_SOURCE_DIR "/translations/callops_es.ts"));
    const TsCount after = countMessages(copy);
    QVERIFY(before.ok && after.ok);
    QVERIFY2(after.unfinished == 0,
             qPrintable(QStringLiteral("%1 string(s) in the sources are not in translations/callops_es.ts: "
                                       "run lupdate (see core/CMakeLists.txt) and translate them")
                                .arg(after.unfinished)));
    QCOMPARE(after.messages, before.messages);
}

void TestTranslations::stateLabelsAreShownWhole()
{
    MainWindow window;
    verifyNoStateLabelIsCut(window);
}

void TestTranslations::stateLabelsAreShownWholeOnASmallScreen()
{
    for (const QString &language : {QStringLiteral("en"), QStringLiteral("es")}) {
        QVERIFY(translation::install(language));
        MainWindow window;
        verifyNoStateLabelIsCut(window, {1024, 600});
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(window.width() <= 1024, qPrintable(QString::number(window.width())));
    }
}

void TestTranslations::consoleSpeaksSpanish()
{
    QVERIFY(translation::install(QStringLiteral("es")));
    MainWindow window;
    verifyNoStateLabelIsCut(window);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(window.actionFor(ManualAction::RetryNow)->text(), QStringLiteral("&Reintentar ahora…"));
    QCOMPARE(window.actionFor(ManualAction::MarkFailed)->text(), QStringLiteral("&Marcar como fallida…"));
    QVERIFY(!window.stateList()->findItems(QStringLiteral("Requieren acción"), Qt::MatchExactly).isEmpty());
    QVERIFY(!window.stateList()->findItems(QStringLiteral("Atascadas"), Qt::MatchExactly).isEmpty());
}

// Messages from core (bad input the dispatcher typed, a number the engine refused) are looked up in
// the context lupdate filed them under. A free tr() helper in core once filed them under the
// namespace while looking them up under the class name: the Spanish was there and never shown.
void TestTranslations::coreMessagesSpeakSpanish()
{
    QVERIFY(translation::install(QStringLiteral("es")));
    QCOMPARE(PhoneNumberNormalizer().normalize(QString()).error(),
             QStringLiteral("no se indicó número de teléfono"));
    QCOMPARE(ConnectionSettings::parse(QStringLiteral("postgresql://user@db.example:0/calls")).error(),
             QStringLiteral("URL de base de datos mal formada: 0 no es un puerto"));
    const QString dayError = CallingWindow::parse(QStringLiteral("mon-fry 08:00-17:00")).error();
    QVERIFY2(dayError.startsWith(QStringLiteral("Día desconocido")), qPrintable(dayError));
}

// Spanish labels are longer ("Zona horaria de la clínica"): in a pane as narrow as the window's first
// size gives it, a field that does not fit beside its label goes under it instead of past the edge.
void TestTranslations::spanishDetailsStayInsideThePane()
{
    QVERIFY(translation::install(QStringLiteral("es")));
    CallDetailPane pane;
    pane.resize(290, 700);
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    CallRecord call;
    call.id = QStringLiteral("9f4ca6e5-491c-4dad-a767-98caf6638700");
    call.examId = QStringLiteral("EX-24011");
    call.employeeDob = QDate(1980, 4, 2);
    call.phone = QStringLiteral("312-555-0407");
    call.phoneDisplay = QStringLiteral("(312) 555-0407");
    call.clinicName = QStringLiteral("Bay Area Diagnostics");
    call.clinicTimezone = QStringLiteral("America/Los_Angeles");
    call.state = QStringLiteral("retry_pending");
    pane.showCall(call, {});
    auto *scroll = pane.findChild<QScrollArea *>();
    QVERIFY(scroll && scroll->widget());
    QTRY_VERIFY2(scroll->widget()->width() <= scroll->viewport()->width(),
                 qPrintable(QStringLiteral("details %1 px wide in a %2 px pane")
                                    .arg(scroll->widget()->width())
                                    .arg(scroll->viewport()->width())));
    for (const char *field : {"state", "timezone", "phone", "revealDob"}) {
        const auto *widget = pane.findChild<QWidget *>(QLatin1String(field));
        QVERIFY2(widget, field);
        const QPoint right = widget->mapTo(scroll->widget(), QPoint(widget->width(), 0));
        QVERIFY2(right.x() <= scroll->viewport()->width(), field);
    }
}

QTEST_MAIN(TestTranslations)
#include "TestTranslations.moc"
