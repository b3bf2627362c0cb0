#pragma once

#include <QString>
#include <QStringList>

namespace callops {

// Splits an SQL script into its statements so each can be sent on its own: QPSQL reads only the
// first result of a multi-statement string, so an error in a later statement would go unseen.
// Knows '...' strings, "..." identifiers, $tag$ bodies, -- and /* */ comments.
class SqlScript
{
public:
    static QStringList statements(const QString &script);
};

} // namespace callops
