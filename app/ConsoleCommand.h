#pragma once

class QString;

namespace callops {

class Settings;
struct CommandLineRequest;

// `callops` with a window: loads the translation, opens the dispatcher's console on the configured
// database, or asks for a connection (offering the demo) when none is configured.
class ConsoleCommand
{
public:
    static int run(Settings &settings, const CommandLineRequest &request);
    // Installs the console's translation: --lang, else the Language setting, else the system locale.
    static void installTranslation(const Settings &settings, const QString &language);
};

} // namespace callops
