#pragma once

#include <QSignalSpy>
#include <QTest>

namespace callops::test {

// Whether the spy has caught a signal within timeoutMs, counting one caught before the wait began.
// QSignalSpy::wait() waits for one more than it had when called, and a spy on an object of
// another thread catches its signals directly, in that thread: a signal emitted between the
// request and the wait was missed, and the test failed although the engine had done its work.
inline bool arrives(const QSignalSpy &spy, int timeoutMs)
{
    return QTest::qWaitFor([&spy] { return !spy.isEmpty(); }, timeoutMs);
}

} // namespace callops::test
