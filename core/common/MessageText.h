#pragma once

#include <QString>

namespace callops {

// Pieces of user input quoted in messages for people and logs: on one line (control characters,
// line and paragraph separators and broken UTF-16 replaced), short (a pasted megabyte is not
// repeated back whole; the length is said instead), and not at all when it may carry a password:
// text with "//" or '@' in it (a URL, however mistyped) or a "password" keyword.
class MessageText
{
public:
    static QString quoted(const QString &text, qsizetype maxLength = 60);
};

} // namespace callops
