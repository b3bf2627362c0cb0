#pragma once

namespace callops {

class Settings;
struct CommandLineRequest;

// `callops --demo [--no-gui] [--demo-reset]`: the whole system on this machine with no Supabase
// account. A private PostgreSQL cluster (DemoRuntime), sample calls, the telephony simulator and a
// scheduler engine with short timings; then the console, or with --no-gui one log line per pass
// with the calls per state. Runs until the window closes or SIGTERM/SIGINT, then stops the engine,
// the simulator and the cluster.
class DemoCommand
{
public:
    static int run(Settings &settings, const CommandLineRequest &request);
};

} // namespace callops
