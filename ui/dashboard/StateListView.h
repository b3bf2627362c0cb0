#pragma once

#include "console/CallFilter.h"
#include "console/StateCounts.h"

#include <QTreeWidget>

namespace callops {

// The left side of the console: All calls, Stuck (red when non-zero), then the workflow states
// grouped as Needs action / In flight / Done, each with its live count. The selection becomes the
// table's state filter.
class StateListView final : public QTreeWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StateListView)

public:
    explicit StateListView(QWidget *parent = nullptr);

    void setCounts(const StateCounts &counts);
    // The states of the selection (empty: all), and whether Stuck is selected.
    QList<WorkflowState> selectedStates() const;
    bool stuckSelected() const;
    void selectStuck();
    void selectAll();

    // The count shown for a state, for tests and the title.
    qint64 shownCount(WorkflowState state) const;
    qint64 shownStuck() const;

    QSize sizeHint() const override;

signals:
    void selectionChangedByUser();

protected:
    void changeEvent(QEvent *event) override;

private:
    // The group and Stuck colours, readable on the palette's base (light or dark).
    void applyColors();
    QColor textColor(const QColor &accent) const;
    QTreeWidgetItem *addStateItem(QTreeWidgetItem *group, WorkflowState state);
    static void setCountText(QTreeWidgetItem *item, qint64 count);

    QTreeWidgetItem *m_all = nullptr;
    QTreeWidgetItem *m_stuck = nullptr;
    QTreeWidgetItem *m_unknown = nullptr;
    QList<QTreeWidgetItem *> m_groups;
    QMap<WorkflowState, QTreeWidgetItem *> m_states;
    StateCounts m_counts;
};

} // namespace callops
