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
    // Only the first two: for messages of our own or a server's that may quote input (a database
    // error echoing a value), which must still fit on one line of a log.
    static QString oneLine(const QString &text, qsizetype maxLength = 300);
};

} // namespace callops
