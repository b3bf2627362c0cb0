#pragma once

#include "common/Result.h"

#include <QMap>
#include <QString>
#include <QVariant>

#include <memory>

class QSettings;

namespace callops {

// CallOps' configuration with one precedence everywhere: command line > environment > settings
// file (QSettings) > built-in default. Each key is declared once in Settings.cpp with its file
// key, its environment variable (if any) and its default.
class Settings
{
public:
    enum class Key {
        DatabaseUrl,
        SupabaseUrl,
        ServiceRoleKey, // environment or command line only: never read from or written to the file
        DefaultRegion,
        DefaultTimeZone,
        CallingHours,
        BatchSize,
        IntervalSeconds,
        CallsPerSecond,
        MaxConcurrentRequests,
        HttpTimeoutSeconds,
        InflightTimeoutSeconds,
        LeaseSeconds,
        IvrWaitSeconds,
        TaskRetryDelaySeconds,
        BackoffBaseSeconds,
        BackoffCapSeconds,
        Language,
    };

    enum class Source { CommandLine, Environment, File, Default };

    // The values a whole-number key accepts; maximum 0 for keys that are not whole numbers.
    struct Range
    {
        int minimum = 0;
        int maximum = 0;
        bool seconds = false;
    };

    // Uses the user's settings file (QSettings with the application's organisation and name).
    Settings();
    // Uses the given file; for tests and for --config.
    explicit Settings(const QString &filePath);
    ~Settings();
    Settings(const Settings &) = delete;
    Settings &operator=(const Settings &) = delete;

    void setCommandLineValue(Key key, const QVariant &value);
    // Writes to the settings file; refused for the service key, which never goes to a file.
    bool setFileValue(Key key, const QVariant &value);

    QVariant value(Key key) const;
    QString string(Key key) const { return value(key).toString(); }
    int integer(Key key) const { return value(key).toInt(); }
    double number(Key key) const { return value(key).toDouble(); }
    Source source(Key key) const;

    // Checks that the settings file could be read, then the value of every key wherever it comes
    // from (environment and file values are not checked on the way in): whole numbers in range()
    // where a number of seconds or items is meant, no control characters in text. The error names
    // the key and where its value came from, never the value of a secret (database URL, service
    // key).
    Status validate() const;
    // CALLOPS_* environment variables that are no setting of ours (a misspelled one is silently
    // ignored otherwise: CALLOPS_TIMEZONE for CALLOPS_DEFAULT_TIME_ZONE), one warning each, naming
    // the setting meant when one is close. The tests' and build scripts' own variables are left out.
    static QStringList unrecognisedEnvironment();

    static Range range(Key key);
    // What a whole-number key must be, for messages: "a whole number of seconds from 1 to 600".
    static QString requirement(Key key);

    static QString fileKey(Key key);
    static QString environmentVariable(Key key);
    static QVariant defaultValue(Key key);
    QString filePath() const;

private:
    std::unique_ptr<QSettings> m_file;
    QMap<Key, QVariant> m_commandLine;
};

} // namespace callops
