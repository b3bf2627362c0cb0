#include "WorkflowState.h"

#include <QCoreApplication>

#include <array>

namespace callops::workflow {
namespace {

struct StateInfo
{
    WorkflowState state;
    const char *name;
    StateGroup group;
    const char *label;
};

// The one place the states, their stored names and their groups are written down.
constexpr std::array<StateInfo, 11> kStates{{
        {WorkflowState::New, "new", StateGroup::Actionable, QT_TRANSLATE_NOOP("WorkflowState", "New")},
        {WorkflowState::CheckingClassification, "checking_classification", StateGroup::Actionable,
         QT_TRANSLATE_NOOP("WorkflowState", "Checking classification")},
        {WorkflowState::NeedsClassification, "needs_classification", StateGroup::Actionable,
         QT_TRANSLATE_NOOP("WorkflowState", "Needs classification")},
        {WorkflowState::Classifying, "classifying", StateGroup::InFlight,
         QT_TRANSLATE_NOOP("WorkflowState", "Classifying")},
        {WorkflowState::ClassificationPending, "classification_pending", StateGroup::Actionable,
         QT_TRANSLATE_NOOP("WorkflowState", "Classification pending (IVR wait)")},
        {WorkflowState::ReadyToCall, "ready_to_call", StateGroup::Actionable,
         QT_TRANSLATE_NOOP("WorkflowState", "Ready to call")},
        {WorkflowState::Calling, "calling", StateGroup::InFlight,
         QT_TRANSLATE_NOOP("WorkflowState", "Calling")},
        {WorkflowState::RetryPending, "retry_pending", StateGroup::Actionable,
         QT_TRANSLATE_NOOP("WorkflowState", "Retry pending")},
        {WorkflowState::Completed, "completed", StateGroup::Terminal,
         QT_TRANSLATE_NOOP("WorkflowState", "Completed")},
        {WorkflowState::Failed, "failed", StateGroup::Terminal, QT_TRANSLATE_NOOP("WorkflowState", "Failed")},
        {WorkflowState::ClassificationFailed, "classification_failed", StateGroup::Terminal,
         QT_TRANSLATE_NOOP("WorkflowState", "Classification failed")},
}};

const StateInfo *find(WorkflowState state)
{
    for (const auto &info : kStates) {
        if (info.state == state)
            return &info;
    }
    return nullptr;
}

} // namespace

const QList<WorkflowState> &knownStates()
{
    static const QList<WorkflowState> states = [] {
        QList<WorkflowState> all;
        for (const auto &info : kStates)
            all.append(info.state);
        return all;
    }();
    return states;
}

QList<WorkflowState> statesInGroup(StateGroup group)
{
    QList<WorkflowState> result;
    for (const auto &info : kStates) {
        if (info.group == group)
            result.append(info.state);
    }
    return result;
}

QString stateName(WorkflowState state)
{
    const StateInfo *info = find(state);
    return info ? QString::fromLatin1(info->name) : QStringLiteral("unknown");
}

WorkflowState stateFromName(QStringView name)
{
    for (const auto &info : kStates) {
        if (name == QLatin1StringView(info.name))
            return info.state;
    }
    return WorkflowState::Unknown;
}

StateGroup stateGroup(WorkflowState state)
{
    const StateInfo *info = find(state);
    return info ? info->group : StateGroup::Unknown;
}

bool isActionable(WorkflowState state)
{
    return stateGroup(state) == StateGroup::Actionable;
}

bool isInFlight(WorkflowState state)
{
    return stateGroup(state) == StateGroup::InFlight;
}

bool isTerminal(WorkflowState state)
{
    return stateGroup(state) == StateGroup::Terminal;
}

QString stateLabel(WorkflowState state)
{
    const StateInfo *info = find(state);
    return info ? QCoreApplication::translate("WorkflowState", info->label)
                : QCoreApplication::translate("WorkflowState", "Unknown state");
}

QString groupLabel(StateGroup group)
{
    switch (group) {
    case StateGroup::Actionable:
        return QCoreApplication::translate("WorkflowState", "Needs action");
    case StateGroup::InFlight:
        return QCoreApplication::translate("WorkflowState", "In flight");
    case StateGroup::Terminal:
        return QCoreApplication::translate("WorkflowState", "Done");
    case StateGroup::Unknown:
        break;
    }
    return QCoreApplication::translate("WorkflowState", "Unknown");
}

QStringList stateNames(StateGroup group)
{
    QStringList names;
    for (const auto &info : kStates) {
        if (info.group == group)
            names.append(QString::fromLatin1(info.name));
    }
    return names;
}

QString stateNamesArrayLiteral(StateGroup group)
{
    return u'{' + stateNames(group).join(u',') + u'}';
}

} // namespace callops::workflow
