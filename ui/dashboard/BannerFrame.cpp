#include "BannerFrame.h"

#include "ReadableColor.h"

#include <QEvent>
#include <QLabel>
#include <QPainter>

namespace callops {
namespace {

constexpr double kTint = 0.18;
constexpr qreal kRadius = 4;

} // namespace

BannerFrame::BannerFrame(const QColor &accent, Text text, QWidget *parent)
    : QFrame(parent)
    , m_accent(accent)
    , m_text(text)
{ }

QColor BannerFrame::fillColor() const
{
    return readableColor::tinted(palette().color(QPalette::Window), m_accent, kTint);
}

QColor BannerFrame::textColor() const
{
    const QColor wanted = m_text == Text::Accent ? m_accent : palette().color(QPalette::WindowText);
    return readableColor::on(wanted, {fillColor()});
}

bool BannerFrame::event(QEvent *event)
{
    // Polish: the labels exist by then (the subclass made them); PaletteChange: light ↔ dark.
    const bool handled = QFrame::event(event);
    if (event->type() == QEvent::Polish || event->type() == QEvent::PaletteChange)
        applyTextColor();
    return handled;
}

void BannerFrame::applyTextColor()
{
    const QColor text = textColor();
    for (QLabel *label : findChildren<QLabel *>(QString(), Qt::FindDirectChildrenOnly)) {
        QPalette palette = label->palette();
        palette.setColor(QPalette::WindowText, text);
        label->setPalette(palette);
    }
}

void BannerFrame::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(m_accent, 1));
    painter.setBrush(fillColor());
    painter.drawRoundedRect(QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5), kRadius, kRadius);
}

} // namespace callops
