#pragma once

#include <QtGlobal>

namespace callops::test {

// A port of 127.0.0.1 on which nothing listens: one bound, noted and let go. For a database or a
// call trigger that cannot be reached.
quint16 closedPort();

} // namespace callops::test
