#pragma once

#include <QString>

namespace callops {

// For "did you mean": how many insertions, deletions and substitutions turn one short word into
// another.
class EditDistance
{
public:
    static int between(const QString &a, const QString &b);
};

} // namespace callops
