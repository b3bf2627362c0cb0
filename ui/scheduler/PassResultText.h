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
};

} // namespace callops
