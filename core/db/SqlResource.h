#pragma once

#include <QString>

namespace callops {

// The text of an SQL file compiled in under :/sql (resources/sql), loaded once and kept, without
// its whole-line comments.
class SqlResource
{
public:
    // `name` relative to :/sql, e.g. "engine/claim_due.sql". A missing file is a build error
    // of ours, so it aborts in debug builds and returns an empty statement otherwise.
    static QString text(const QString &name);
};

} // namespace callops
