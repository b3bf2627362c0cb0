#pragma once

#include "workflow/WorkflowState.h"

#include <QColor>
#include <QIcon>
#include <QPalette>

namespace callops {

// The one place state colours come from, so a state looks the same in every view.
namespace stateColors {

QColor color(WorkflowState state);
QColor groupColor(StateGroup group);
// The state's colour for text in an item view (rows on Base and AlternateBase), readable on the
// palette's rows, light or dark.
QColor textOnRows(WorkflowState state, const QPalette &palette);
// A swatch of color(state) for item views, the same icon every time (GUI thread only). Given a
// QColor as its decoration, a view makes a new pixmap and icon at each paint and Qt caches each
// under a key of its own: the console repainting its table at every refresh filled QPixmapCache
// to its 10 MB limit with copies within ten minutes (18 MB of heap with the keys) and pushed
// everything else out of it.
QIcon swatch(WorkflowState state);

} // namespace stateColors
} // namespace callops
