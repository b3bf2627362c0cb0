#include "StateColors.h"

#include "ReadableColor.h"

#include <QPixmap>

#include <map>

namespace callops::stateColors {

QColor color(WorkflowState state)
{
    switch (state) {
    case WorkflowState::New:
    case WorkflowState::CheckingClassification:
        return QColor(0x5b, 0x6b, 0x7c);
    case WorkflowState::NeedsClassification:
    case WorkflowState::ClassificationPending:
        return QColor(0x8e, 0x5a, 0xc8);
    case WorkflowState::ReadyToCall:
        return QColor(0x1f, 0x6f, 0xd1);
    case WorkflowState::RetryPending:
        return QColor(0xc7, 0x7c, 0x02);
    case WorkflowState::Classifying:
    case WorkflowState::Calling:
        return QColor(0x00, 0x8b, 0x8b);
    case WorkflowState::Completed:
        return QColor(0x2e, 0x8b, 0x3e);
    case WorkflowState::Failed:
    case WorkflowState::ClassificationFailed:
        return QColor(0xc6, 0x28, 0x28);
    case WorkflowState::Unknown:
        break;
    }
    return QColor(0x80, 0x80, 0x80);
}

QColor groupColor(StateGroup group)
{
    switch (group) {
    case StateGroup::Actionable:
        return QColor(0x1f, 0x6f, 0xd1);
    case StateGroup::InFlight:
        return QColor(0x00, 0x8b, 0x8b);
    case StateGroup::Terminal:
        return QColor(0x2e, 0x8b, 0x3e);
    case StateGroup::Unknown:
        break;
    }
    return QColor(0x80, 0x80, 0x80);
}

QColor textOnRows(WorkflowState state, const QPalette &palette)
{
    return readableColor::on(color(state),
                             {palette.color(QPalette::Base), palette.color(QPalette::AlternateBase)});
}

QIcon swatch(WorkflowState state)
{
    static std::map<WorkflowState, QIcon> swatches;
    auto found = swatches.find(state);
    if (found == swatches.end()) {
        // The size views give a decoration by default (the style's small icon size).
        QPixmap pixmap(16, 16);
        pixmap.fill(color(state));
        found = swatches.emplace(state, QIcon(pixmap)).first;
    }
    return found->second;
}

} // namespace callops::stateColors
