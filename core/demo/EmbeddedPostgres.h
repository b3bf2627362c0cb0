#pragma once

#include "common/Result.h"
#include "db/ConnectionSettings.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

class QLockFile;

namespace callops {

// A private PostgreSQL cluster for the demo, made with the machine's own PostgreSQL binaries
// (/usr/lib/postgresql/<newest>/bin, Debian package `postgresql`). It lives in one directory
// (data/, server.log, the superuser's password), is kept between runs and listens on a free port
// of 127.0.0.1 only, with password authentication and its unix socket inside data/.
//
// initdb refuses to run as root, so when this process is root the cluster's tools run as the
// `postgres` user and the directory is given to that user; every parent directory must then be
// traversable by it (defaultDirectory() picks one that is).
//
// start() and stop() wait for the server: they take seconds, so a GUI calls start() off its
// thread. The object stops the server it started when it is destroyed.
class EmbeddedPostgres final
{
    Q_DISABLE_COPY_MOVE(EmbeddedPostgres)

public:
    using ProgressCallback = std::function<void(const QString &message)>;

    explicit EmbeddedPostgres(const QString &directory);
    ~EmbeddedPostgres();

    // The user's data directory + "/demo-postgres"; when running as root and the postgres user
    // could not reach that (/root is private), /var/lib/callops-demo instead.
    static QString defaultDirectory();
    // The newest /usr/lib/postgresql/<version>/bin holding initdb, pg_ctl and postgres (or
    // CALLOPS_PG_BINDIR); a message naming the package to install when there is none. `root` is
    // for tests.
    static Result<QString> findBinDirectory(const QString &root = QStringLiteral("/usr/lib/postgresql"));
    // The database the demo uses inside the cluster.
    static QString databaseName();

    // Called with short progress messages ("Creating the database cluster…") from the thread that
    // runs start().
    void setProgressCallback(ProgressCallback callback);

    // Stops a server running on the directory (a crashed run's) and deletes the directory.
    Status reset();
    // Creates the cluster when there is none, starts it and makes sure the demo database exists.
    // Blocks for seconds: never call it on a GUI thread.
    Result<ConnectionSettings> start();
    // Stops the server this object started (fast shutdown, immediate when that does not work).
    Status stop();

    bool isRunning() const { return m_running; }
    QString directory() const { return m_directory; }
    QString dataDirectory() const;
    QString logFile() const;
    int port() const { return m_port; }
    // The postmaster's process id while running (from postmaster.pid), else 0.
    qint64 serverPid() const;
    // Whether this process runs the tools as the postgres user (it is root).
    static bool runsAsPostgresUser();

private:
    struct ToolResult
    {
        int exitCode = -1;
        QString output;
    };

    Result<ToolResult> runTool(const QString &tool, const QStringList &arguments, int timeoutMs) const;
    Status prepareDirectory();
    Status initialise();
    Status clearStaleServer();
    Status startServer();
    Status ensureDatabase(const ConnectionSettings &superuser);
    Result<QString> readPassword() const;
    ConnectionSettings settingsFor(const QString &database) const;
    QString logTail() const;
    void report(const QString &message) const;

    QString m_directory;
    QString m_binDirectory;
    QString m_password;
    int m_port = 0;
    bool m_running = false;
    std::unique_ptr<QLockFile> m_lock;
    ProgressCallback m_progress;
};

} // namespace callops
