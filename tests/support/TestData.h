#pragma once

#include <QString>

namespace callops::test {

// The text of a file under tests/data, or an empty string (and a warning) when it is missing.
QString testData(const QString &relativePath);

} // namespace callops::test
