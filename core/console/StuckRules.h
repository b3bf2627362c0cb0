#pragma once

#include "workflow/WorkflowState.h"

#include <QMap>
#include <QString>

namespace callops {

class Settings;

// When a call counts as stuck: it has stayed in its state longer than that state's threshold. The
// defaults are the guide's (Step 8.2 and DESIGN.md): classifying and calling after 10 minutes in the
// state; any other non-terminal state once it is due and has not been updated for an hour. Terminal
// states are never stuck.
class StuckRules
{
public:
    StuckRules();

    static StuckRules defaults();
    // Reads the thresholds from the settings file's [stuck] group (keys are state names, values in
    // seconds); missing or invalid entries keep their default.
    static StuckRules fromSettings(const Settings &settings);
    bool save(const Settings &settings) const;

    // Seconds; 0 for terminal states (never stuck).
    int thresholdSeconds(WorkflowState state) const;
    void setThresholdSeconds(WorkflowState state, int seconds);

    // The states that can be stuck, with their thresholds, as parallel PostgreSQL array literals
    // ("{classifying,calling}", "{600,600}") for `unnest(:states::text[], :seconds::int[])`.
    QString statesArrayLiteral() const;
    QString secondsArrayLiteral() const;

    bool operator==(const StuckRules &other) const = default;

private:
    QMap<WorkflowState, int> m_seconds;
};

} // namespace callops
