#include "calls/ElidedComboBox.h"

#include <QHelpEvent>
#include <QProxyStyle>
#include <QStyleFactory>
#include <QStyleOptionComboBox>
#include <QTest>
#include <QToolTip>

using namespace callops;

namespace {

// Keeps the text the combo box hands its style to draw as its label: what the dispatcher reads.
class LabelRecorder final : public QProxyStyle
{
public:
    LabelRecorder()
        : QProxyStyle(QStyleFactory::create(QStringLiteral("Fusion")))
    { }

    void drawControl(ControlElement element, const QStyleOption *option, QPainter *painter,
                     const QWidget *widget) const override
    {
        if (element == CE_ComboBoxLabel)
            drawn = static_cast<const QStyleOptionComboBox *>(option)->currentText;
        QProxyStyle::drawControl(element, option, painter, widget);
    }

    mutable QString drawn;
};

const QString longText = QStringLiteral("Cualquier motivo de fallo");

} // namespace

// The filters' combo boxes say when their text does not fit.
class TestElidedComboBox : public QObject
{
    Q_OBJECT

private slots:
    void narrowBoxEndsItsTextWithAnEllipsis();
    void wideBoxShowsTheWholeText();
    void tooltipHasTheWholeTextWhenCut();
};

void TestElidedComboBox::narrowBoxEndsItsTextWithAnEllipsis()
{
    LabelRecorder style;
    ElidedComboBox box;
    box.setStyle(&style);
    box.addItem(longText);
    box.setFixedWidth(box.fontMetrics().horizontalAdvance(longText) / 2);
    box.show();
    QVERIFY(QTest::qWaitForWindowExposed(&box));
    box.grab();
    QVERIFY(box.isElided());
    QVERIFY2(style.drawn.endsWith(QChar(0x2026)), qPrintable(style.drawn));
    QVERIFY2(style.drawn.size() > 1, qPrintable(style.drawn));
    QVERIFY(longText.startsWith(style.drawn.chopped(1)));
    QStyleOptionComboBox option;
    option.initFrom(&box);
    const QRect field
            = style.subControlRect(QStyle::CC_ComboBox, &option, QStyle::SC_ComboBoxEditField, &box);
    QVERIFY(box.fontMetrics().horizontalAdvance(style.drawn) <= field.width());
}

void TestElidedComboBox::wideBoxShowsTheWholeText()
{
    LabelRecorder style;
    ElidedComboBox box;
    box.setStyle(&style);
    box.addItem(longText);
    box.setFixedWidth(box.fontMetrics().horizontalAdvance(longText) * 2);
    box.show();
    QVERIFY(QTest::qWaitForWindowExposed(&box));
    box.grab();
    QVERIFY(!box.isElided());
    QCOMPARE(style.drawn, longText);
}

void TestElidedComboBox::tooltipHasTheWholeTextWhenCut()
{
    ElidedComboBox box;
    box.addItem(longText);
    box.setFixedWidth(box.fontMetrics().horizontalAdvance(longText) / 2);
    box.show();
    QVERIFY(QTest::qWaitForWindowExposed(&box));
    QHelpEvent help(QEvent::ToolTip, box.rect().center(), box.mapToGlobal(box.rect().center()));
    QApplication::sendEvent(&box, &help);
    QTRY_VERIFY(QToolTip::isVisible());
    QCOMPARE(QToolTip::text(), longText);
    QToolTip::hideText();
}

QTEST_MAIN(TestElidedComboBox)
#include "TestElidedComboBox.moc"
