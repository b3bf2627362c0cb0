#pragma once

#include "workflow/WorkflowState.h"

#include <QColor>

namespace callops {

// The one place state colours come from, so a state looks the same in every view.
namespace stateColors {

QColor color(WorkflowState state);
QColor groupColor(StateGroup group);

} // namespace stateColors
} // namespace callops
