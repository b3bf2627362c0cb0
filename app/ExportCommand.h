#pragma once

class QTextStream;

namespace callops {

class ConnectionSettings;
class Settings;
struct CommandLineRequest;

// `callops --export-failures FILE [--since DATE] [--until DATE]`: writes the failed calls of the
// period (whole days in the machine's time zone) to FILE (PDF when it ends in .pdf, else CSV)
// without a window, then exits.
class ExportCommand
{
public:
    static int run(const Settings &settings, const CommandLineRequest &request);

private:
    static int exportWith(const Settings &settings, const ConnectionSettings &connection,
                          const CommandLineRequest &request, QTextStream &out, QTextStream &err);
};

} // namespace callops
