#include "MainWindow.h"
#include "calls/CallDetailPane.h"
#include "config/Settings.h"
#include "console/CallRecord.h"
#include "dialogs/ActionDialog.h"
#include "dialogs/ConnectionDialog.h"
#include "dialogs/ExportDialog.h"
#include "dialogs/HistorySearchDialog.h"
#include "dialogs/StuckRulesDialog.h"
#include "scheduler/SchedulerPanel.h"

#include <QAbstractButton>
#include <QAccessible>
#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QFormLayout>
#include <QLabel>
#include <QLibraryInfo>
#include <QMap>
#include <QMenu>
#include <QMenuBar>
#include <QScrollArea>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QTranslator>

#include <memory>

using namespace callops;

namespace {

// The console's and Qt's Spanish for the lifetime of the object (none for English).
class Language
{
public:
    explicit Language(const QString &code)
    {
        if (code == u"en")
            return;
        m_loaded = m_ours.load(QStringLiteral(":/i18n/callops_") + code);
        // Qt's own (standard buttons) when installed: the console's are what is checked.
        if (!m_qt.load(QStringLiteral("qtbase_") + code, QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
            qWarning("no Qt translation for %s", qPrintable(code));
        QCoreApplication::installTranslator(&m_ours);
        QCoreApplication::installTranslator(&m_qt);
    }
    ~Language()
    {
        QCoreApplication::removeTranslator(&m_ours);
        QCoreApplication::removeTranslator(&m_qt);
    }
    bool loaded() const { return m_loaded; }

private:
    bool m_loaded = true;
    QTranslator m_ours;
    QTranslator m_qt;
};

QString accessibleName(QWidget *widget)
{
    QAccessibleInterface *iface = QAccessible::queryAccessibleInterface(widget);
    return iface ? iface->text(QAccessible::Name) : QString();
}

// The Alt letters a text marks, upper case: a letter after '&' ("&&" is an '&' shown as such).
QList<QChar> altLetters(const QString &text)
{
    QList<QChar> letters;
    for (qsizetype i = 0; i + 1 < text.size(); ++i) {
        if (text.at(i) != u'&')
            continue;
        ++i;
        if (text.at(i) != u'&')
            letters.append(text.at(i).toUpper());
    }
    return letters;
}

// Shows the window, active, with the focus on the calls, as a dispatcher finds it.
bool showWithTheCallsFocused(MainWindow &window)
{
    window.show();
    window.activateWindow();
    if (!QTest::qWaitForWindowActive(&window))
        return false;
    window.table()->setFocus(Qt::TabFocusReason);
    return QTest::qWaitFor([&window] { return window.table()->hasFocus(); });
}

// The menu of the menu bar that holds this action.
QMenu *menuHolding(const MainWindow &window, const QAction *action)
{
    for (const QAction *title : window.menuBar()->actions()) {
        if (QMenu *menu = title->menu(); menu && menu->actions().contains(action))
            return menu;
    }
    return nullptr;
}

} // namespace

// A dispatcher working with the keyboard only, or with a screen reader: every key does one thing,
// every field can be reached by its label, and widgets without a visible label still have a name.
// ctest runs this under offscreen and again under Xvfb with GNOME's key bindings (Debian's desktop),
// where some standard keys differ (QKeySequence::Refresh is Ctrl+R there, F5 offscreen).
class TestKeyboardAccess : public QObject
{
    Q_OBJECT

private slots:
    void everyKeyDoesOneThing();
    void labelsTakeToTheirFields_data();
    void labelsTakeToTheirFields();
    void unlabelledWidgetsHaveNames();
    void shiftF10OpensTheCallMenu();
    void detailsAreTabbedTopToBottom();
    void menuItemsHaveAltLetters_data();
    void menuItemsHaveAltLetters();
    void altLettersWalkTheMenus_data();
    void altLettersWalkTheMenus();
    void ctrlJTakesTheFocusToTheScheduler();
};

void TestKeyboardAccess::everyKeyDoesOneThing()
{
    MainWindow window;
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QMap<QKeySequence, QString> owners;
    for (const QAction *action : window.findChildren<QAction *>()) {
        for (const QKeySequence &key : action->shortcuts()) {
            QVERIFY2(!owners.contains(key),
                     qPrintable(QStringLiteral("%1 is both %2 and %3")
                                        .arg(key.toString(), owners.value(key), action->text())));
            owners.insert(key, action->text());
        }
    }
    QCOMPARE(owners.value(QKeySequence(Qt::CTRL | Qt::Key_R)),
             window.actionFor(ManualAction::RetryNow)->text());

    auto *refresh = window.findChild<QAction *>(QStringLiteral("refreshAction"));
    QVERIFY(refresh);
    QSignalSpy refreshed(refresh, &QAction::triggered);
    QTest::keyClick(&window, Qt::Key_F5);
    QCOMPARE(refreshed.count(), 1);
}

void TestKeyboardAccess::labelsTakeToTheirFields_data()
{
    QTest::addColumn<QString>("language");
    QTest::addColumn<QString>("dialog");
    for (const char *language : {"en", "es"}) {
        for (const char *dialog :
             {"action", "connection", "export", "historySearch", "scheduler", "stuckRules"})
            QTest::addRow("%s %s", language, dialog)
                    << QString::fromLatin1(language) << QString::fromLatin1(dialog);
    }
}

// Every label beside a field names a key (Alt+letter) that puts the cursor in that field, and no two
// labels or buttons of one dialog use the same letter, in English and in Spanish.
void TestKeyboardAccess::labelsTakeToTheirFields()
{
    QFETCH(QString, language);
    QFETCH(QString, dialog);
    const Language translation(language);
    QVERIFY(translation.loaded());
    MainWindow window;
    QTemporaryDir dir;
    Settings settings(dir.filePath(QStringLiteral("callops.conf")));
    std::unique_ptr<QWidget> widget;
    if (dialog == u"action")
        widget = std::make_unique<ActionDialog>(ManualAction::MarkFailed, 2, 2, false, QStringList{});
    else if (dialog == u"connection")
        widget = std::make_unique<ConnectionDialog>(settings);
    else if (dialog == u"export")
        widget = std::make_unique<ExportDialog>(window.worker());
    else if (dialog == u"historySearch")
        widget = std::make_unique<HistorySearchDialog>(window.worker());
    else if (dialog == u"scheduler")
        widget = std::make_unique<SchedulerPanel>();
    else
        widget = std::make_unique<StuckRulesDialog>(StuckRules::defaults());
    widget->show();
    widget->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(widget.get()));

    // Each form row's label is bound to its field.
    for (const QFormLayout *form : widget->findChildren<QFormLayout *>()) {
        for (int row = 0; row < form->rowCount(); ++row) {
            const QLayoutItem *item = form->itemAt(row, QFormLayout::LabelRole);
            if (const auto *label = item ? qobject_cast<QLabel *>(item->widget()) : nullptr)
                QVERIFY2(label->buddy(), qPrintable(label->text()));
        }
    }
    QMap<QKeySequence, QString> owners;
    auto claim = [&owners](const QString &text) {
        const QKeySequence key = QKeySequence::mnemonic(text);
        if (key.isEmpty())
            return;
        QVERIFY2(!owners.contains(key),
                 qPrintable(QStringLiteral("%1 is both \"%2\" and \"%3\"")
                                    .arg(key.toString(), owners.value(key), text)));
        owners.insert(key, text);
    };
    for (const QAbstractButton *button : widget->findChildren<QAbstractButton *>()) {
        claim(button->text());
        if (QTest::currentTestFailed())
            return;
    }
    int labels = 0;
    for (QLabel *label : widget->findChildren<QLabel *>()) {
        // A label beside a text (the scheduler's Last pass) has nothing to go to.
        if (!label->buddy() || label->buddy()->focusPolicy() == Qt::NoFocus)
            continue;
        ++labels;
        const QKeySequence key = QKeySequence::mnemonic(label->text());
        QVERIFY2(!key.isEmpty(), qPrintable(QStringLiteral("\"%1\" has no Alt key").arg(label->text())));
        claim(label->text());
        if (QTest::currentTestFailed())
            return;
        widget->setFocus();
        QTest::keyClick(widget.get(), Qt::Key(key[0].key()), Qt::AltModifier);
        QVERIFY2(QApplication::focusWidget() == label->buddy()
                         || label->buddy()->isAncestorOf(QApplication::focusWidget()),
                 qPrintable(label->text()));
    }
    QVERIFY(labels > 0);
}

// Widgets with no visible label of their own tell a screen reader what they are.
void TestKeyboardAccess::unlabelledWidgetsHaveNames()
{
    MainWindow window;
    for (const char *name : {"stateList", "search", "clinicFilter", "failureReasonFilter", "periodFilter",
                             "callTable", "history", "stuckBanner", "offlineBanner"}) {
        auto *widget = window.findChild<QWidget *>(QLatin1String(name));
        QVERIFY2(widget, name);
        QVERIFY2(!accessibleName(widget).isEmpty(), name);
    }
    QVERIFY(!accessibleName(window.detailPane()->findChild<QScrollArea *>()).isEmpty());
    HistorySearchDialog history(window.worker());
    for (const char *name : {"historySearchText", "historySearchResults"}) {
        auto *widget = history.findChild<QWidget *>(QLatin1String(name));
        QVERIFY2(widget, name);
        QVERIFY2(!accessibleName(widget).isEmpty(), name);
    }
}

// Shift+F10 opens the calls' menu (Retry now, Reset stuck, ...) as the Menu key
// does.
void TestKeyboardAccess::shiftF10OpensTheCallMenu()
{
    MainWindow window;
    QVERIFY(showWithTheCallsFocused(window));
    QTableView *table = window.table();
    QList<QAction *> shown;
    QTimer::singleShot(0, this, [&shown] {
        if (auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget())) {
            shown = menu->actions();
            QTest::keyClick(menu, Qt::Key_Escape);
        }
    });
    QTest::keyClick(table, Qt::Key_F10, Qt::ShiftModifier);
    QVERIFY(shown.contains(window.actionFor(ManualAction::RetryNow)));
    QVERIFY(shown.contains(window.actionFor(ManualAction::MarkFailed)));
    // The window's focus is still on the table (offscreen gives no window back
    // its activation after a popup).
    QCOMPARE(window.focusWidget(), table);
}

// Tab goes through the details as they are laid out: the fields, Reveal, then
// the history.
void TestKeyboardAccess::detailsAreTabbedTopToBottom()
{
    CallDetailPane pane;
    CallRecord call;
    call.id = QStringLiteral("9f4ca6e5-491c-4dad-a767-98caf6638700");
    call.examId = QStringLiteral("EX-24011");
    call.employeeDob = QDate(1980, 4, 2);
    call.state = QStringLiteral("retry_pending");
    pane.showCall(call, {});
    pane.show();
    pane.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&pane));
    auto *fields = pane.findChild<QScrollArea *>();
    fields->setFocus(Qt::TabFocusReason);
    QTRY_VERIFY(fields->hasFocus());
    QTest::keyClick(fields, Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), pane.findChild<QWidget *>(QStringLiteral("revealDob")));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), pane.findChild<QWidget *>(QStringLiteral("history")));
}

void TestKeyboardAccess::menuItemsHaveAltLetters_data()
{
    QTest::addColumn<QString>("language");
    QTest::newRow("en") << QStringLiteral("en");
    QTest::newRow("es") << QStringLiteral("es");
}

// Alt+a menu's letter, then an item's letter reaches every item of every menu: each menu title and
// item (greyed out or not) marks one letter, and no letter is used twice in one menu (the menu bar
// counts as one), in English and in Spanish. Where the same actions show outside the menus (the
// toolbar, the dock's title), no '&' shows.
void TestKeyboardAccess::menuItemsHaveAltLetters()
{
    QFETCH(QString, language);
    const Language translation(language);
    QVERIFY(translation.loaded());
    MainWindow window;
    QList<QWidget *> menus{window.menuBar()};
    for (qsizetype i = 0; i < menus.size(); ++i) {
        QMap<QChar, QString> owners;
        for (const QAction *action : menus.at(i)->actions()) {
            if (action->isSeparator())
                continue;
            const QList<QChar> letters = altLetters(action->text());
            QVERIFY2(letters.size() == 1,
                     qPrintable(QStringLiteral("\"%1\" has %2 Alt letters")
                                        .arg(action->text())
                                        .arg(letters.size())));
            QVERIFY2(
                    !owners.contains(letters.first()),
                    qPrintable(QStringLiteral("%1 is both \"%2\" and \"%3\"")
                                       .arg(letters.first(), owners.value(letters.first()), action->text())));
            owners.insert(letters.first(), action->text());
            if (QMenu *menu = action->menu())
                menus.append(menu);
        }
    }
    QCOMPARE(menus.size(), 6); // the bar, File, Calls, All matching the filter, View, Help

    const auto *toolbar = window.findChild<QToolBar *>(QStringLiteral("actionsToolbar"));
    QVERIFY(toolbar);
    int buttons = 0;
    for (const QToolButton *button : toolbar->findChildren<QToolButton *>()) {
        if (!button->defaultAction())
            continue;
        ++buttons;
        QVERIFY2(!button->text().contains(u'&'), qPrintable(button->text()));
        QVERIFY2(!button->toolTip().contains(u'&'), qPrintable(button->toolTip()));
    }
    QCOMPARE(buttons, 6);
    const auto *dock = window.findChild<QDockWidget *>(QStringLiteral("schedulerDock"));
    QVERIFY(dock);
    QVERIFY2(!dock->windowTitle().contains(u'&'), qPrintable(dock->windowTitle()));
}

void TestKeyboardAccess::altLettersWalkTheMenus_data()
{
    menuItemsHaveAltLetters_data();
}

// Alt+V, T (Alt+V, U in Spanish) opens the stuck thresholds: the letters work as the menus show them.
void TestKeyboardAccess::altLettersWalkTheMenus()
{
    QFETCH(QString, language);
    const Language translation(language);
    QVERIFY(translation.loaded());
    MainWindow window;
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    const QAction *thresholds = window.findChild<QAction *>(QStringLiteral("stuckThresholdsAction"));
    QVERIFY(thresholds);
    QMenu *view = menuHolding(window, thresholds);
    QVERIFY(view);
    const QList<QChar> menuLetter = altLetters(view->title());
    const QList<QChar> itemLetter = altLetters(thresholds->text());
    QCOMPARE(menuLetter.size(), 1);
    QCOMPARE(itemLetter.size(), 1);

    QTest::keyClick(&window, Qt::Key(menuLetter.first().unicode()), Qt::AltModifier);
    QTRY_COMPARE(QApplication::activePopupWidget(), view);
    QTest::keyClick(view, char(itemLetter.first().toLower().unicode()));
    QTRY_VERIFY(window.findChild<StuckRulesDialog *>());
    auto *dialog = window.findChild<StuckRulesDialog *>();
    QTRY_VERIFY(dialog->isVisible());
    QVERIFY(!QApplication::activePopupWidget());
    QVERIFY2(!dialog->windowTitle().contains(u'&'), qPrintable(dialog->windowTitle()));
    dialog->reject();
}

// Ctrl+J shows the scheduler and takes the focus there (its first control), and hides it and takes
// the focus back to the calls.
void TestKeyboardAccess::ctrlJTakesTheFocusToTheScheduler()
{
    MainWindow window;
    QVERIFY(showWithTheCallsFocused(window));
    QTableView *table = window.table();
    SchedulerPanel *panel = window.schedulerPanel();
    QVERIFY(!panel->isVisible());

    QTest::keyClick(&window, Qt::Key_J, Qt::ControlModifier);
    QTRY_VERIFY(panel->isVisible());
    // No settings: Start cannot be pressed, the log is the first control that can take the focus.
    QCOMPARE(QApplication::focusWidget(), panel->findChild<QWidget *>(QStringLiteral("schedulerLog")));

    QTest::keyClick(QApplication::focusWidget(), Qt::Key_J, Qt::ControlModifier);
    QTRY_VERIFY(!panel->isVisible());
    QCOMPARE(QApplication::focusWidget(), table);
}

QTEST_MAIN(TestKeyboardAccess)
#include "TestKeyboardAccess.moc"
