#include "ElidedComboBox.h"

#include <QHelpEvent>
#include <QStyleOptionComboBox>
#include <QStylePainter>
#include <QToolTip>

namespace callops {

ElidedComboBox::ElidedComboBox(QWidget *parent)
    : QComboBox(parent)
{ }

QRect ElidedComboBox::textRect() const
{
    QStyleOptionComboBox option;
    initStyleOption(&option);
    QRect rect = style()->subControlRect(QStyle::CC_ComboBox, &option, QStyle::SC_ComboBoxEditField, this);
    // The style draws the icon, then the text, in the edit field; and keeps a pixel on each side.
    if (!option.currentIcon.isNull())
        rect.setLeft(rect.left() + option.iconSize.width() + 4);
    return rect.adjusted(1, 0, -1, 0);
}

bool ElidedComboBox::isElided() const
{
    return !isEditable() && fontMetrics().horizontalAdvance(currentText()) > textRect().width();
}

bool ElidedComboBox::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip && toolTip().isEmpty() && isElided()) {
        QToolTip::showText(static_cast<QHelpEvent *>(event)->globalPos(), currentText(), this);
        return true;
    }
    return QComboBox::event(event);
}

void ElidedComboBox::paintEvent(QPaintEvent *event)
{
    if (isEditable()) {
        QComboBox::paintEvent(event);
        return;
    }
    // As QComboBox paints itself, with the text cut to fit.
    QStylePainter painter(this);
    painter.setPen(palette().color(QPalette::Text));
    QStyleOptionComboBox option;
    initStyleOption(&option);
    painter.drawComplexControl(QStyle::CC_ComboBox, option);
    if (currentIndex() < 0 && !placeholderText().isEmpty()) {
        option.palette.setBrush(QPalette::ButtonText, option.palette.placeholderText());
        option.currentText = placeholderText();
    }
    option.currentText = fontMetrics().elidedText(option.currentText, Qt::ElideRight, textRect().width());
    painter.drawControl(QStyle::CE_ComboBoxLabel, option);
}

} // namespace callops
