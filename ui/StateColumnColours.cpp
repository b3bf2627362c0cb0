#include "StateColumnColours.h"

#include "StateColors.h"

#include <QEvent>
#include <QTreeWidget>

namespace callops {

StateColumnColours::StateColumnColours(QTreeWidget *tree, int column)
    : QObject(tree)
    , m_tree(tree)
    , m_column(column)
{
    tree->installEventFilter(this);
}

void StateColumnColours::apply()
{
    const QPalette palette = m_tree->palette();
    for (int row = 0; row < m_tree->topLevelItemCount(); ++row) {
        QTreeWidgetItem *item = m_tree->topLevelItem(row);
        const QString state = item->data(m_column, Qt::UserRole).toString();
        item->setForeground(m_column, stateColors::textOnRows(workflow::stateFromName(state), palette));
    }
}

bool StateColumnColours::eventFilter(QObject *watched, QEvent *event)
{
    // The list's own palette has changed by the time it hears of it.
    if (watched == m_tree && event->type() == QEvent::PaletteChange)
        apply();
    return QObject::eventFilter(watched, event);
}

} // namespace callops
