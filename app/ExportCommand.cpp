#include "ExportCommand.h"

#include "CommandLine.h"
#include "ExitCode.h"
#include "config/Settings.h"
#include "console/ConsoleRepository.h"
#include "db/ConnectionSettings.h"
#include "db/DatabaseConnection.h"
#include "phone/PhoneNumberNormalizer.h"
#include "reports/FailureReportFile.h"

#include <QCoreApplication>
#include <QTextStream>

namespace callops {

int ExportCommand::run(const Settings &settings, const CommandLineRequest &request)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    const QString url = settings.string(Settings::Key::DatabaseUrl);
    if (url.isEmpty()) {
        err << QCoreApplication::translate("ExportCommand",
                                           "No database configured: set DATABASE_URL or pass --db.")
            << Qt::endl;
        return ExitCode::BadConfiguration;
    }
    const auto connection = ConnectionSettings::parse(url);
    if (!connection) {
        err << connection.error() << Qt::endl;
        return ExitCode::BadConfiguration;
    }
    const int code = exportWith(settings, *connection, request, out, err);
    // Every handle on the connection is gone by now, so it closes cleanly.
    DatabaseConnection::close(QStringLiteral("export"));
    return code;
}

int ExportCommand::exportWith(const Settings &settings, const ConnectionSettings &connection,
                              const CommandLineRequest &request, QTextStream &out, QTextStream &err)
{
    const auto db = DatabaseConnection::open(connection, QStringLiteral("export"));
    if (!db) {
        err << db.error() << Qt::endl;
        return ExitCode::BadConfiguration;
    }

    // Whole days in this machine's zone (TZ), as the console's dialog takes them; --until names
    // the last day included.
    FailureReportOptions options;
    options.firstDay = request.since;
    options.lastDay = request.until;

    int code = ExitCode::Ok;
    {
        ConsoleRepository repository(*db);
        const auto calls
                = repository.failures(options.since(), options.until(), options.states, options.clinic);
        if (!calls) {
            err << calls.error() << Qt::endl;
            code = ExitCode::Failure;
        } else {
            const PhoneNumberNormalizer phones(
                    settings.string(Settings::Key::DefaultRegion).trimmed().toUpper());
            const Status written = FailureReportFile::write(request.exportFile, *calls, options, phones);
            if (!written) {
                err << written.error() << Qt::endl;
                code = ExitCode::Failure;
            } else {
                out << QCoreApplication::translate("ExportCommand", "Wrote %n failed call(s) to %1.", nullptr,
                                                   int(calls->size()))
                                .arg(request.exportFile)
                    << Qt::endl;
            }
        }
    }
    return code;
}

} // namespace callops
