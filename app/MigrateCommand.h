#pragma once

namespace callops {

class Settings;

// `callops --migrate`: connects, applies what is pending, says what it did.
class MigrateCommand
{
public:
    static int run(const Settings &settings);
};

} // namespace callops
