#pragma once

#include <QObject>

class QTreeWidget;

namespace callops {

// Colours one column of a history list by the state each change went to (the state's name in the
// item's Qt::UserRole of that column), readable on the list's rows, and again when the desktop
// switches palette (light to dark at sunset) while the list is shown.
class StateColumnColours final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StateColumnColours)

public:
    StateColumnColours(QTreeWidget *tree, int column);

    // After the list was filled.
    void apply();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QTreeWidget *m_tree;
    int m_column;
};

} // namespace callops
