// What the console draws itself stays sharp on screens scaled 150 %..300 % (QT_SCALE_FACTOR, a 4K
// desktop at 200 %): bitmaps are made at the screen's device pixel ratio, not scaled up from 100 %.
#include "dashboard/StateListView.h"

#include <QApplication>
#include <QTest>
#include <QTreeWidgetItem>

using namespace callops;

class TestHighDpi final : public QObject
{
    Q_OBJECT

private slots:
    void stateDotsAreSharp_data();
    void stateDotsAreSharp();
};

void TestHighDpi::stateDotsAreSharp_data()
{
    QTest::addColumn<qreal>("ratio");
    QTest::newRow("150 %") << 1.5;
    QTest::newRow("200 %") << 2.0;
    QTest::newRow("300 %") << 3.0;
}

void TestHighDpi::stateDotsAreSharp()
{
    QFETCH(qreal, ratio);
    StateListView view;
    const QList<QTreeWidgetItem *> items
            = view.findItems(QStringLiteral("New"), Qt::MatchExactly | Qt::MatchRecursive);
    QVERIFY(!items.isEmpty());
    const QImage image = items.first()->icon(0).pixmap(QSize(12, 12), ratio).toImage();
    QCOMPARE(image.width(), qRound(12 * ratio));
    // Across the middle of the disc: a sharp edge is one antialiased pixel (two where it falls
    // between pixels) on each side; a disc scaled up from 12 px fades over ratio × that.
    int partial = 0;
    for (int x = 0; x < image.width(); ++x) {
        const int alpha = qAlpha(image.pixel(x, image.height() / 2));
        if (alpha > 16 && alpha < 240)
            ++partial;
    }
    QVERIFY2(partial <= 4,
             qPrintable(QStringLiteral("%1 half-transparent pixels across the dot").arg(partial)));
}

QTEST_MAIN(TestHighDpi)
#include "TestHighDpi.moc"
