// The colours the console sets itself (state colours, the stuck red, the banners) stay readable on
// the palettes desktops give it, light and dark: at least 4.5:1 against what they are drawn on,
// measured on the pixels drawn, and again after the desktop switches palette while it runs.
#include "Palettes.h"
#include "StateColors.h"
#include "calls/CallDetailPane.h"
#include "console/CallRecord.h"
#include "console/StateCounts.h"
#include "dashboard/OfflineBanner.h"
#include "dashboard/StateListView.h"
#include "dashboard/StuckBanner.h"
#include "workflow/WorkflowState.h"

#include <QApplication>
#include <QLabel>
#include <QStyleFactory>
#include <QTest>
#include <QTreeWidget>
#include <QTreeWidgetItem>

using namespace callops;
using namespace callops::test;

class TestPaletteContrast final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void contrastRatioIsWcags();
    void readableColorKeepsWhatIsReadable();
    void stateListIsReadable_data();
    void stateListIsReadable();
    void stateListFollowsAPaletteChange();
    void detailStateIsReadable_data();
    void detailStateIsReadable();
    void historyFollowsAPaletteChange();
    void bannersAreReadable_data();
    void bannersAreReadable();
    void bannersFollowAPaletteChange();

private:
    QPalette m_original;
};

namespace {

void addPalettes()
{
    QTest::addColumn<QPalette>("palette");
    for (const auto &[name, palette] : desktopPalettes())
        QTest::newRow(name) << palette;
}

QTreeWidgetItem *findItem(StateListView &view, const QString &text)
{
    const QList<QTreeWidgetItem *> items = view.findItems(text, Qt::MatchExactly | Qt::MatchRecursive);
    return items.isEmpty() ? nullptr : items.first();
}

QString ratio(double value)
{
    return QString::number(value, 'f', 2);
}

} // namespace

void TestPaletteContrast::initTestCase()
{
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    m_original = QApplication::palette();
}

void TestPaletteContrast::cleanup()
{
    QApplication::setPalette(m_original);
}

void TestPaletteContrast::contrastRatioIsWcags()
{
    QCOMPARE(readableColor::contrastRatio(Qt::black, Qt::white), 21.0);
    QCOMPARE(readableColor::contrastRatio(Qt::white, Qt::white), 1.0);
    // WCAG's own example figures: #767676 is the lightest grey readable on white (4.54:1).
    QCOMPARE(ratio(readableColor::contrastRatio(QColor(0x76, 0x76, 0x76), Qt::white)), "4.54");
}

void TestPaletteContrast::readableColorKeepsWhatIsReadable()
{
    const QColor red = stateColors::color(WorkflowState::Failed);
    QCOMPARE(readableColor::on(red, {Qt::white}), red); // 5.62:1 already
    const QColor onDark = readableColor::on(red, {QColor(0x2a, 0x2a, 0x2a)});
    QVERIFY(readableColor::contrastRatio(onDark, QColor(0x2a, 0x2a, 0x2a)) >= 4.5);
    QCOMPARE(onDark.hue(), red.hue()); // still a red
}

void TestPaletteContrast::stateListIsReadable_data()
{
    addPalettes();
}

void TestPaletteContrast::stateListIsReadable()
{
    QFETCH(QPalette, palette);
    QApplication::setPalette(palette);
    StateListView view;
    StateCounts counts;
    counts.total = 12;
    counts.stuck = 3;
    view.setCounts(counts);
    view.resize(400, 500);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.clearSelection();
    const QColor base = view.palette().color(QPalette::Base);
    for (const QString &text : {QStringLiteral("Needs action"), QStringLiteral("In flight"),
                                QStringLiteral("Done"), QStringLiteral("Stuck")}) {
        QTreeWidgetItem *item = findItem(view, text);
        QVERIFY2(item, qPrintable(text));
        const double set = readableColor::contrastRatio(item->foreground(0).color(), base);
        QVERIFY2(set >= 4.5, qPrintable(QStringLiteral("%1: %2:1").arg(text, ratio(set))));
        // The count column: the label's column of the Stuck row has its icon.
        const QRect rect = view.visualRect(view.model()->index(view.indexOfTopLevelItem(item), 1));
        const double drawn = drawnContrast(view.viewport(), rect);
        QVERIFY2(drawn >= 4.5, qPrintable(QStringLiteral("%1 drawn: %2:1").arg(text, ratio(drawn))));
    }
}

void TestPaletteContrast::stateListFollowsAPaletteChange()
{
    StateListView view;
    StateCounts counts;
    counts.stuck = 3;
    view.setCounts(counts);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QPalette dark = desktopPalettes().at(1).second;
    QApplication::setPalette(dark);
    QCoreApplication::processEvents(); // the change reaches widgets through posted events
    for (const QString &text : {QStringLiteral("Needs action"), QStringLiteral("Stuck")}) {
        const double set = readableColor::contrastRatio(findItem(view, text)->foreground(0).color(),
                                                        dark.color(QPalette::Base));
        QVERIFY2(set >= 4.5, qPrintable(QStringLiteral("%1: %2:1").arg(text, ratio(set))));
    }
    // No stuck calls: the palette's own text colour, also after the next change.
    view.setCounts({});
    QApplication::setPalette(m_original);
    QCoreApplication::processEvents();
    QCOMPARE(findItem(view, QStringLiteral("Stuck"))->foreground(0).color(),
             m_original.color(QPalette::Text));
}

void TestPaletteContrast::detailStateIsReadable_data()
{
    addPalettes();
}

void TestPaletteContrast::detailStateIsReadable()
{
    QFETCH(QPalette, palette);
    QApplication::setPalette(palette);
    CallDetailPane pane;
    pane.resize(500, 700);
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    auto *label = pane.findChild<QLabel *>(QStringLiteral("state"));
    QVERIFY(label);
    QStringList failures;
    QStringList names{QStringLiteral("some_state_of_a_newer_version")};
    for (WorkflowState state : workflow::knownStates())
        names << workflow::stateName(state);
    QList<WorkflowEventRecord> history;
    for (const QString &name : std::as_const(names)) {
        WorkflowEventRecord event;
        event.toState = name;
        event.at = QDateTime::currentDateTime();
        history << event;
    }
    for (const QString &name : std::as_const(names)) {
        CallRecord call;
        call.id = QStringLiteral("00000000-0000-0000-0000-000000000001");
        call.state = name;
        pane.showCall(call, history);
        QCoreApplication::processEvents();
        const double drawn = drawnContrast(label->parentWidget(), label->geometry());
        if (drawn < 4.5)
            failures << QStringLiteral("%1 %2:1").arg(call.state, ratio(drawn));
    }
    // The history's changes are in the colour of the state they went to, on its (alternating) rows.
    auto *tree = pane.findChild<QTreeWidget *>(QStringLiteral("history"));
    QVERIFY(tree);
    QCOMPARE(tree->topLevelItemCount(), names.size());
    for (int row = 0; row < tree->topLevelItemCount(); ++row) {
        for (auto role : {QPalette::Base, QPalette::AlternateBase}) {
            const double set = readableColor::contrastRatio(tree->topLevelItem(row)->foreground(1).color(),
                                                            tree->palette().color(role));
            if (set < 4.5)
                failures << QStringLiteral("history %1 %2:1").arg(names.at(row), ratio(set));
        }
    }
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QStringLiteral(", "))));
}

void TestPaletteContrast::historyFollowsAPaletteChange()
{
    // Shown on the light palette, then the desktop goes dark (as GNOME does at sunset).
    CallDetailPane pane;
    pane.resize(500, 700);
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    QList<WorkflowEventRecord> history;
    for (WorkflowState state : workflow::knownStates()) {
        WorkflowEventRecord event;
        event.toState = workflow::stateName(state);
        event.at = QDateTime::currentDateTime();
        history << event;
    }
    CallRecord call;
    call.id = QStringLiteral("00000000-0000-0000-0000-000000000001");
    call.state = QStringLiteral("failed");
    pane.showCall(call, history);
    const QPalette dark = desktopPalettes().at(1).second;
    QApplication::setPalette(dark);
    QCoreApplication::processEvents(); // the change reaches widgets through posted events
    auto *tree = pane.findChild<QTreeWidget *>(QStringLiteral("history"));
    QVERIFY(tree);
    QCOMPARE(tree->topLevelItemCount(), history.size());
    QStringList failures;
    for (int row = 0; row < tree->topLevelItemCount(); ++row) {
        for (auto role : {QPalette::Base, QPalette::AlternateBase}) {
            const double set = readableColor::contrastRatio(tree->topLevelItem(row)->foreground(1).color(),
                                                            tree->palette().color(role));
            if (set < 4.5)
                failures << QStringLiteral("%1 %2:1").arg(history.at(row).toState, ratio(set));
        }
    }
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QStringLiteral(", "))));
}

void TestPaletteContrast::bannersAreReadable_data()
{
    addPalettes();
}

void TestPaletteContrast::bannersAreReadable()
{
    QFETCH(QPalette, palette);
    QApplication::setPalette(palette);
    StuckBanner stuck;
    stuck.setStuckCount(4);
    OfflineBanner offline;
    offline.showOffline(QStringLiteral("could not connect"), ConnectionProblem::Unreachable, {});
    for (QFrame *banner : {static_cast<QFrame *>(&stuck), static_cast<QFrame *>(&offline)}) {
        banner->resize(900, banner->sizeHint().height());
        banner->show();
        QVERIFY(QTest::qWaitForWindowExposed(banner));
        auto *label = banner->findChild<QLabel *>(QString(), Qt::FindDirectChildrenOnly);
        // The stuck banner's first label is its icon: the text is the one with text.
        for (QLabel *candidate : banner->findChildren<QLabel *>(QString(), Qt::FindDirectChildrenOnly)) {
            if (!candidate->text().isEmpty())
                label = candidate;
        }
        const double drawn = drawnContrast(banner, label->geometry());
        QVERIFY2(drawn >= 4.5,
                 qPrintable(QStringLiteral("%1: %2:1").arg(banner->objectName(), ratio(drawn))));
    }
}

void TestPaletteContrast::bannersFollowAPaletteChange()
{
    OfflineBanner offline;
    offline.showOffline(QStringLiteral("could not connect"), ConnectionProblem::Unreachable, {});
    offline.resize(900, offline.sizeHint().height());
    offline.show();
    QVERIFY(QTest::qWaitForWindowExposed(&offline));
    QApplication::setPalette(desktopPalettes().at(1).second);
    QCoreApplication::processEvents();
    auto *label = offline.findChild<QLabel *>();
    const double drawn = drawnContrast(&offline, label->geometry());
    QVERIFY2(drawn >= 4.5, qPrintable(ratio(drawn)));
}

QTEST_MAIN(TestPaletteContrast)
#include "TestPaletteContrast.moc"
