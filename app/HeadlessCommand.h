#pragma once

namespace callops {

class Settings;

// `callops --no-gui [--once]`: the scheduler without a window, until SIGTERM/SIGINT (then it
// finishes requests in flight, gives back its claims and exits 0), or for one pass whose
// result it prints as the guide's JSON on stdout.
class HeadlessCommand
{
public:
    static int run(const Settings &settings, bool once);
};

} // namespace callops
