#include "CallFilterBar.h"

#include <QComboBox>
#include <QGridLayout>
#include <QLineEdit>
#include <QResizeEvent>

namespace callops {
namespace {

// The width a layout gives a widget at the least: its own minimum when set, else its hint.
int minimumWidthOf(const QWidget *widget)
{
    return widget->minimumWidth() > 0 ? widget->minimumWidth() : widget->minimumSizeHint().width();
}

} // namespace

CallFilterBar::CallFilterBar(QLineEdit *search, const QList<QComboBox *> &filters, QWidget *parent)
    : QWidget(parent)
    , m_search(search)
    , m_filters(filters)
    , m_layout(new QGridLayout(this))
{
    m_layout->setContentsMargins(0, 0, 0, 0);
    // The widget's minimum is the stacked one (minimumSizeHint), not the one row's the layout
    // would impose.
    m_layout->setSizeConstraint(QLayout::SetNoConstraint);
    arrange(false);
}

int CallFilterBar::oneRowWidth() const
{
    int width = minimumWidthOf(m_search);
    for (const QComboBox *filter : m_filters)
        width += m_layout->horizontalSpacing() + minimumWidthOf(filter);
    return width;
}

int CallFilterBar::stackedWidth() const
{
    int filters = 0;
    for (const QComboBox *filter : m_filters)
        filters += minimumWidthOf(filter);
    filters += m_layout->horizontalSpacing() * std::max(0, int(m_filters.size()) - 1);
    return std::max(minimumWidthOf(m_search), filters);
}

QSize CallFilterBar::sizeHint() const
{
    return {std::max(oneRowWidth(), m_layout->sizeHint().width()), m_layout->sizeHint().height()};
}

QSize CallFilterBar::minimumSizeHint() const
{
    return {stackedWidth(), m_layout->minimumSize().height()};
}

void CallFilterBar::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    const bool stacked = event->size().width() < oneRowWidth();
    if (stacked != m_stacked) {
        arrange(stacked);
        updateGeometry();
    }
}

void CallFilterBar::arrange(bool stacked)
{
    m_stacked = stacked;
    m_layout->removeWidget(m_search);
    for (QComboBox *filter : std::as_const(m_filters))
        m_layout->removeWidget(filter);
    for (int column = 0; column <= m_filters.size(); ++column)
        m_layout->setColumnStretch(column, 0);
    if (stacked) {
        m_layout->addWidget(m_search, 0, 0, 1, int(m_filters.size()));
        for (int i = 0; i < m_filters.size(); ++i) {
            m_layout->addWidget(m_filters[i], 1, i);
            m_layout->setColumnStretch(i, 1);
        }
    } else {
        // The search takes three parts of the width, each drop-down one.
        m_layout->addWidget(m_search, 0, 0);
        m_layout->setColumnStretch(0, 3);
        for (int i = 0; i < m_filters.size(); ++i) {
            m_layout->addWidget(m_filters[i], 0, i + 1);
            m_layout->setColumnStretch(i + 1, 1);
        }
    }
}

} // namespace callops
