#pragma once

#include "console/StuckRules.h"

#include <QDialog>
#include <QMap>

class QSpinBox;

namespace callops {

// Edits when a call counts as stuck, per state, in minutes: the console's banner, its "Stuck"
// filter and "Reset stuck" all follow these thresholds. The caller applies and saves them.
class StuckRulesDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StuckRulesDialog)

public:
    explicit StuckRulesDialog(const StuckRules &rules, QWidget *parent = nullptr);

    StuckRules rules() const;
    QSpinBox *minutesFor(WorkflowState state) const { return m_minutes.value(state); }

private:
    void display(const StuckRules &rules);

    QMap<WorkflowState, QSpinBox *> m_minutes;
    // What the boxes were last filled from; a state whose box was not changed keeps its exact seconds.
    StuckRules m_shown;
};

} // namespace callops
