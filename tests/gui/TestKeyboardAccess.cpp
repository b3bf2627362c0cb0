#include "MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QMap>
#include <QSignalSpy>
#include <QTest>

using namespace callops;

// A dispatcher working with the keyboard only, or with a screen reader: every key does one thing,
// every field can be reached by its label, and widgets without a visible label still have a name.
// ctest runs this under offscreen and again under Xvfb with GNOME's key bindings (Debian's desktop),
// where some standard keys differ (QKeySequence::Refresh is Ctrl+R there, F5 offscreen).
class TestKeyboardAccess : public QObject
{
    Q_OBJECT

private slots:
    void everyKeyDoesOneThing();
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

QTEST_MAIN(TestKeyboardAccess)
#include "TestKeyboardAccess.moc"
