#pragma once

namespace callops {

class Settings;

// `callops --check`: what `callops --no-gui` would run with and whether it could place calls —
// the settings, the database login, the scheduler's grants, the migrations, the guide's pg_cron
// scheduler — without placing one. For an operator before enabling the service.
class CheckCommand
{
public:
    static int run(const Settings &settings);
};

} // namespace callops
