#pragma once

#include <QString>

namespace callops {

// What a pass did with one call, in the dispatcher's words: the engine reports the guide's result
// codes ("number_busy", "task_call_triggered"), which `--once` prints as they are.
class PassResultText
{
public:
    // The code itself when it is not one we know.
    static QString describe(const QString &status);
    // The detail the engine gives with it, for a person: "attempt 2", "retry 3", "a person
    // answers" rather than "2" or "human"; messages (errors, opening hours) as they are.
    static QString describeDetail(const QString &status, const QString &detail);
};

} // namespace callops
