#pragma once

namespace callops {

class Settings;

// `callops` with a window: opens the dispatcher's console on the configured
// database, or asks for a connection (offering the demo) when none is configured.
class ConsoleCommand
{
public:
    static int run(Settings &settings);
};

} // namespace callops
