#include "AccentText.h"

#include "ReadableColor.h"

#include <QEvent>
#include <QWidget>

namespace callops {

AccentText::AccentText(QWidget *widget)
    : QObject(widget)
    , m_widget(widget)
{
    widget->installEventFilter(this);
}

void AccentText::set(QWidget *widget, const QColor &accent)
{
    auto *accentText = widget->findChild<AccentText *>(QString(), Qt::FindDirectChildrenOnly);
    if (!accentText)
        accentText = new AccentText(widget);
    accentText->m_accent = accent;
    accentText->apply();
}

bool AccentText::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_widget && event->type() == QEvent::PaletteChange)
        apply();
    return QObject::eventFilter(watched, event);
}

void AccentText::apply()
{
    if (!m_accent.isValid()) {
        // The widgets given an accent set no other colour: an empty palette inherits them all again.
        m_widget->setPalette(QPalette());
        return;
    }
    const QColor background = m_widget->palette().color(m_widget->backgroundRole());
    const QColor text = readableColor::on(m_accent, {background});
    if (m_widget->palette().color(m_widget->foregroundRole()) == text
        && m_widget->palette().isBrushSet(QPalette::Active, m_widget->foregroundRole()))
        return; // setting it again would send the PaletteChange that called us
    QPalette palette = m_widget->palette();
    palette.setColor(m_widget->foregroundRole(), text);
    m_widget->setPalette(palette);
}

} // namespace callops
