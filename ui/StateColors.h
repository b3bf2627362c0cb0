#pragma once

#include "workflow/WorkflowState.h"

#include <QColor>
#include <QPalette>

namespace callops {

// The one place state colours come from, so a state looks the same in every view.
namespace stateColors {

QColor color(WorkflowState state);
QColor groupColor(StateGroup group);
// The state's colour for text in an item view (rows on Base and AlternateBase), readable on the
// palette's rows, light or dark.
QColor textOnRows(WorkflowState state, const QPalette &palette);

} // namespace stateColors
} // namespace callops
