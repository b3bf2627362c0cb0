#include "EmbeddedPostgres.h"

#include "db/DatabaseConnection.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QLockFile>
#include <QLoggingCategory>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTcpServer>
#include <QThread>
#include <QVersionNumber>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <optional>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcDemoPostgres, "callops.demo.postgres")

namespace callops {
namespace {

// Text::tr, not a free tr(): lupdate files a free function's strings under the enclosing
// namespace, so they would never match the context they are looked up in.
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(EmbeddedPostgres)
};

const QString kPostgresUser = QStringLiteral("postgres");
constexpr int kInitTimeoutMs = 180'000;
constexpr int kStartTimeoutSeconds = 60;
constexpr int kStopTimeoutSeconds = 30;
// A unix socket path must fit sockaddr_un (108 bytes) with ".s.PGSQL.NNNNN.lock" appended.
constexpr int kMaxSocketDirectoryLength = 85;

struct PostgresAccount
{
    uid_t uid = 0;
    gid_t gid = 0;
};

std::optional<PostgresAccount> postgresAccount()
{
    const struct passwd *entry = ::getpwnam("postgres");
    if (!entry)
        return std::nullopt;
    return PostgresAccount{entry->pw_uid, entry->pw_gid};
}

// Whether the postgres user can walk down to `path`: every existing ancestor must be searchable
// by others (or belong to postgres).
bool reachableByPostgres(const QString &path, uid_t postgresUid, QString *blocking = nullptr)
{
    QString current = QFileInfo(path).absoluteFilePath();
    while (!current.isEmpty()) {
        struct stat info = {};
        if (::stat(QFile::encodeName(current).constData(), &info) == 0) {
            const bool searchable = (info.st_mode & S_IXOTH) || (info.st_uid == postgresUid);
            if (!searchable) {
                if (blocking)
                    *blocking = current;
                return false;
            }
        }
        if (current == u"/")
            break;
        current = QFileInfo(current).absolutePath();
    }
    return true;
}

QString randomPassword()
{
    static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    QString password;
    for (int i = 0; i < 24; ++i)
        password.append(QLatin1Char(alphabet[QRandomGenerator::system()->bounded(int(sizeof alphabet) - 1)]));
    return password;
}

bool portFree(int port)
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, quint16(port));
}

int freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

bool processAlive(qint64 pid)
{
    return pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno == EPERM);
}

// Whether `pid` is a postgres server started on `dataDirectory` (its command line says so).
bool isPostmasterOf(qint64 pid, const QString &dataDirectory)
{
    QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
    if (pid <= 0 || !cmdline.open(QIODevice::ReadOnly))
        return false;
    const QList<QByteArray> arguments = cmdline.readAll().split('\0');
    if (arguments.isEmpty() || !arguments.constFirst().endsWith("postgres"))
        return false;
    const QByteArray wanted = QFile::encodeName(dataDirectory);
    for (qsizetype i = 0; i + 1 < arguments.size(); ++i) {
        if (arguments[i] == "-D" && arguments[i + 1] == wanted)
            return true;
    }
    return false;
}

Status chownToPostgres(const QString &path)
{
    const auto account = postgresAccount();
    if (!account)
        return Error{Text::tr("There is no \"postgres\" user on this machine: install the Debian package "
                              "postgresql, which creates it.")};
    if (::chown(QFile::encodeName(path).constData(), account->uid, account->gid) != 0)
        return Error{Text::tr("Could not give %1 to the postgres user: %2")
                             .arg(path, QString::fromLocal8Bit(std::strerror(errno)))};
    return Status::success();
}

} // namespace

EmbeddedPostgres::EmbeddedPostgres(const QString &directory)
    : m_directory(QDir::cleanPath(QFileInfo(directory).absoluteFilePath()))
{ }

EmbeddedPostgres::~EmbeddedPostgres()
{
    // Whoever listened to the progress may be gone already.
    m_progress = nullptr;
    if (m_running) {
        if (const Status stopped = stop(); !stopped)
            qCWarning(lcDemoPostgres).noquote() << stopped.error();
    }
}

bool EmbeddedPostgres::runsAsPostgresUser()
{
    return ::geteuid() == 0;
}

QString EmbeddedPostgres::defaultDirectory()
{
    const QString userDirectory = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)
            + QStringLiteral("/demo-postgres");
    if (!runsAsPostgresUser())
        return userDirectory;
    const auto account = postgresAccount();
    QString blocking;
    if (account && reachableByPostgres(userDirectory, account->uid, &blocking))
        return userDirectory;
    const QString fallback = QStringLiteral("/var/lib/callops-demo");
    qCInfo(lcDemoPostgres).noquote() << "running as root: the postgres user cannot reach" << userDirectory
                                     << "(" << blocking << "is private), so the demo cluster lives in"
                                     << fallback;
    return fallback;
}

Result<QString> EmbeddedPostgres::findBinDirectory(const QString &rootPath)
{
    const auto complete = [](const QString &dir) {
        for (const char *tool : {"initdb", "pg_ctl", "postgres"}) {
            if (!QFileInfo(dir + u'/' + QString::fromLatin1(tool)).isExecutable())
                return false;
        }
        return true;
    };
    const QString forced = qEnvironmentVariable("CALLOPS_PG_BINDIR");
    if (!forced.isEmpty()) {
        if (complete(forced))
            return forced;
        return Error{Text::tr("CALLOPS_PG_BINDIR=%1 does not hold initdb, pg_ctl and postgres.").arg(forced)};
    }
    QDir root(rootPath);
    QList<QPair<QVersionNumber, QString>> candidates;
    for (const QString &version : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QString bin = root.filePath(version) + QStringLiteral("/bin");
        if (complete(bin))
            candidates.append({QVersionNumber::fromString(version), bin});
    }
    if (candidates.isEmpty()) {
        return Error{
                Text::tr("PostgreSQL's server programs (initdb, pg_ctl, postgres) were not found under %1. "
                         "The demo runs its own private database with them: install the Debian package "
                         "\"postgresql\" (sudo apt-get install postgresql) and try again.")
                        .arg(rootPath)};
    }
    std::sort(candidates.begin(), candidates.end(),
              [](const auto &a, const auto &b) { return a.first > b.first; });
    return candidates.constFirst().second;
}

QString EmbeddedPostgres::databaseName()
{
    return QStringLiteral("callops_demo");
}

void EmbeddedPostgres::setProgressCallback(ProgressCallback callback)
{
    m_progress = std::move(callback);
}

QString EmbeddedPostgres::dataDirectory() const
{
    return m_directory + QStringLiteral("/data");
}

QString EmbeddedPostgres::logFile() const
{
    return m_directory + QStringLiteral("/server.log");
}

void EmbeddedPostgres::report(const QString &message) const
{
    qCInfo(lcDemoPostgres).noquote() << message;
    if (m_progress)
        m_progress(message);
}

qint64 EmbeddedPostgres::serverPid() const
{
    QFile pidFile(dataDirectory() + QStringLiteral("/postmaster.pid"));
    if (!pidFile.open(QIODevice::ReadOnly))
        return 0;
    return QString::fromLatin1(pidFile.readLine()).trimmed().toLongLong();
}

Result<EmbeddedPostgres::ToolResult>
EmbeddedPostgres::runTool(const QString &tool, const QStringList &arguments, int timeoutMs) const
{
    QString program = m_binDirectory + u'/' + tool;
    QStringList args = arguments;
    if (runsAsPostgresUser()) {
        const QString runuser
                = QStandardPaths::findExecutable(QStringLiteral("runuser"),
                                                 {QStringLiteral("/usr/sbin"), QStringLiteral("/sbin"),
                                                  QStringLiteral("/usr/bin"), QStringLiteral("/bin")});
        if (runuser.isEmpty())
            return Error{Text::tr("Running as root needs runuser (package util-linux) to start PostgreSQL as "
                                  "the postgres user.")};
        args = QStringList{QStringLiteral("-u"), kPostgresUser, QStringLiteral("--"), program} + args;
        program = runuser;
    }
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    // The postgres user may not be able to enter the caller's directory.
    process.setWorkingDirectory(m_directory);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("LC_ALL"), QStringLiteral("C.UTF-8"));
    environment.remove(QStringLiteral("PGDATA"));
    process.setProcessEnvironment(environment);
    // A session of its own: a Ctrl+C in the terminal reaches CallOps, which stops the server in
    // order (scheduler first), instead of reaching the server directly.
    process.setChildProcessModifier([] { ::setsid(); });
    process.start(program, args);
    if (!process.waitForStarted(10'000))
        return Error{Text::tr("Could not run %1: %2").arg(program, process.errorString())};
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(5'000);
        return Error{Text::tr("%1 did not finish within %2 s").arg(tool).arg(timeoutMs / 1000)};
    }
    ToolResult result;
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.output = QString::fromLocal8Bit(process.readAll()).trimmed();
    return result;
}

Status EmbeddedPostgres::prepareDirectory()
{
    if (m_directory.contains(u'\'') || m_directory.contains(u'"'))
        return Error{Text::tr("The demo directory %1 must not contain quotes.").arg(m_directory)};
    if (!QDir().mkpath(m_directory))
        return Error{Text::tr("Could not create the demo directory %1.").arg(m_directory)};
    if (::chmod(QFile::encodeName(m_directory).constData(), 0700) != 0)
        return Error{Text::tr("Could not restrict %1 to its owner.").arg(m_directory)};
    if (runsAsPostgresUser()) {
        const auto account = postgresAccount();
        if (!account) {
            return Error{
                    Text::tr("Running as root, the demo starts PostgreSQL as the \"postgres\" user, which "
                             "does not exist: install the Debian package postgresql.")};
        }
        QString blocking;
        if (!reachableByPostgres(QFileInfo(m_directory).absolutePath(), account->uid, &blocking)) {
            return Error{
                    Text::tr("Running as root, the demo's PostgreSQL runs as the postgres user, which cannot "
                             "enter %1 (needed for %2). Use a directory under /var/lib or /var/tmp.")
                            .arg(blocking, m_directory)};
        }
        if (const Status owned = chownToPostgres(m_directory); !owned)
            return owned;
    }
    return Status::success();
}

Result<QString> EmbeddedPostgres::readPassword() const
{
    QFile file(m_directory + QStringLiteral("/superuser-password"));
    if (!file.open(QIODevice::ReadOnly))
        return Error{
                Text::tr("The demo cluster in %1 has lost its password file; start over with --demo-reset.")
                        .arg(m_directory)};
    return QString::fromLatin1(file.readAll()).trimmed();
}

Status EmbeddedPostgres::initialise()
{
    report(Text::tr("Creating the demo database cluster in %1…").arg(dataDirectory()));
    // A half-made cluster (initdb interrupted) is started over.
    QDir(dataDirectory()).removeRecursively();

    const QString password = randomPassword();
    const QString passwordFile = m_directory + QStringLiteral("/superuser-password");
    {
        QFile file(passwordFile);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return Error{Text::tr("Could not write %1.").arg(passwordFile)};
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        file.write(password.toLatin1() + '\n');
    }
    // initdb reads the password from a file the postgres user can read; removed right after.
    const QString initPasswordFile = m_directory + QStringLiteral("/initdb-password");
    {
        QFile file(initPasswordFile);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return Error{Text::tr("Could not write %1.").arg(initPasswordFile)};
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        file.write(password.toLatin1() + '\n');
    }
    if (runsAsPostgresUser()) {
        if (const Status owned = chownToPostgres(initPasswordFile); !owned)
            return owned;
    }
    const auto result = runTool(
            QStringLiteral("initdb"),
            {QStringLiteral("-D"), dataDirectory(), QStringLiteral("-U"), kPostgresUser,
             QStringLiteral("--pwfile=") + initPasswordFile, QStringLiteral("--auth-local=scram-sha-256"),
             QStringLiteral("--auth-host=scram-sha-256"), QStringLiteral("-E"), QStringLiteral("UTF8"),
             QStringLiteral("--locale=C.UTF-8"), QStringLiteral("--no-sync")},
            kInitTimeoutMs);
    QFile::remove(initPasswordFile);
    if (!result)
        return Error{result.error()};
    if (result->exitCode != 0) {
        QDir(dataDirectory()).removeRecursively();
        return Error{Text::tr("initdb failed for the demo cluster in %1: %2")
                             .arg(dataDirectory(), result->output)};
    }
    return Status::success();
}

Status EmbeddedPostgres::clearStaleServer()
{
    const QString pidPath = dataDirectory() + QStringLiteral("/postmaster.pid");
    if (!QFile::exists(pidPath))
        return Status::success();
    const auto status = runTool(QStringLiteral("pg_ctl"),
                                {QStringLiteral("status"), QStringLiteral("-D"), dataDirectory()}, 30'000);
    if (!status)
        return Error{status.error()};
    // pg_ctl only asks whether the recorded pid is alive; after a reboot that pid may belong to
    // another program (even the system's own PostgreSQL). Only a postmaster of this data
    // directory is stopped.
    if (status->exitCode == 0 && !isPostmasterOf(serverPid(), dataDirectory())) {
        qCInfo(lcDemoPostgres) << "postmaster.pid names process" << serverPid()
                               << "which is not this cluster's server: the file is stale";
        QFile::remove(pidPath);
    } else if (status->exitCode == 0) {
        // We hold the directory's lock, so this server is an orphan of a run that crashed.
        report(Text::tr("Stopping a demo PostgreSQL server left running by an earlier run (pid %1)…")
                       .arg(serverPid()));
        const auto stopped = runTool(QStringLiteral("pg_ctl"),
                                     {QStringLiteral("stop"), QStringLiteral("-D"), dataDirectory(),
                                      QStringLiteral("-m"), QStringLiteral("fast"), QStringLiteral("-w"),
                                      QStringLiteral("-t"), QString::number(kStopTimeoutSeconds)},
                                     (kStopTimeoutSeconds + 10) * 1000);
        if (!stopped || stopped->exitCode != 0) {
            runTool(QStringLiteral("pg_ctl"),
                    {QStringLiteral("stop"), QStringLiteral("-D"), dataDirectory(), QStringLiteral("-m"),
                     QStringLiteral("immediate"), QStringLiteral("-w")},
                    (kStopTimeoutSeconds + 10) * 1000);
        }
    } else {
        // No such process: the postmaster.pid of a crash (a reboot, a SIGKILL).
        qCInfo(lcDemoPostgres) << "removing the stale postmaster.pid of a server that is gone";
        QFile::remove(pidPath);
    }
    if (QFile::exists(pidPath) && isPostmasterOf(serverPid(), dataDirectory())) {
        return Error{Text::tr("A PostgreSQL server (pid %1) still runs on %2 and would not stop.")
                             .arg(serverPid())
                             .arg(dataDirectory())};
    }
    QFile::remove(pidPath);
    return Status::success();
}

Status EmbeddedPostgres::startServer()
{
    const QString socketDirectory
            = dataDirectory().size() <= kMaxSocketDirectoryLength ? dataDirectory() : QString();
    // Reuse the previous port when it is free, so the demo's URL stays the same between runs.
    QFile portFile(m_directory + QStringLiteral("/port"));
    int port = 0;
    if (portFile.open(QIODevice::ReadOnly)) {
        port = QString::fromLatin1(portFile.readAll()).trimmed().toInt();
        portFile.close();
    }
    QString lastError;
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (port <= 0 || !portFree(port))
            port = freePort();
        if (port <= 0)
            return Error{Text::tr("No free TCP port on 127.0.0.1 for the demo database.")};
        report(Text::tr("Starting the demo PostgreSQL on 127.0.0.1:%1…").arg(port));
        const QString serverOptions = QStringLiteral("-p %1 -c listen_addresses=127.0.0.1 "
                                                     "-c unix_socket_directories='%2' "
                                                     "-c unix_socket_permissions=0700 "
                                                     "-c synchronous_commit=off -c max_connections=100")
                                              .arg(port)
                                              .arg(socketDirectory);
        const auto result
                = runTool(QStringLiteral("pg_ctl"),
                          {QStringLiteral("start"), QStringLiteral("-D"), dataDirectory(),
                           QStringLiteral("-l"), logFile(), QStringLiteral("-w"), QStringLiteral("-t"),
                           QString::number(kStartTimeoutSeconds), QStringLiteral("-o"), serverOptions},
                          (kStartTimeoutSeconds + 15) * 1000);
        if (!result)
            return Error{result.error()};
        if (result->exitCode == 0) {
            m_port = port;
            if (portFile.open(QIODevice::WriteOnly | QIODevice::Truncate))
                portFile.write(QByteArray::number(port) + '\n');
            return Status::success();
        }
        lastError = logTail();
        if (!lastError.contains(QStringLiteral("could not bind"))
            && !lastError.contains(QStringLiteral("in use")))
            break;
        port = 0; // taken between the probe and the start: try another
    }
    return Error{Text::tr("The demo PostgreSQL did not start (log: %1): %2").arg(logFile(), lastError)};
}

QString EmbeddedPostgres::logTail() const
{
    QFile file(logFile());
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray all = file.readAll();
    QStringList lines = QString::fromLocal8Bit(all).split(u'\n', Qt::SkipEmptyParts);
    if (lines.size() > 5)
        lines = lines.mid(lines.size() - 5);
    return lines.join(QStringLiteral(" | "));
}

ConnectionSettings EmbeddedPostgres::settingsFor(const QString &database) const
{
    const auto parsed = ConnectionSettings::parse(
            QStringLiteral("host=127.0.0.1 port=%1 dbname=%2 user=%3 password=%4 sslmode=disable")
                    .arg(m_port)
                    .arg(database, kPostgresUser, m_password));
    return parsed ? *parsed : ConnectionSettings();
}

Status EmbeddedPostgres::ensureDatabase(const ConnectionSettings &superuser)
{
    const QString purpose = QStringLiteral("demo-setup");
    Status outcome = Status::success();
    {
        const auto db = DatabaseConnection::open(superuser, purpose);
        if (!db)
            return Error{db.error()};
        QSqlQuery query(*db);
        query.prepare(QStringLiteral("SELECT 1 FROM pg_database WHERE datname = ?"));
        query.addBindValue(databaseName());
        if (!query.exec()) {
            outcome = Error{DatabaseConnection::describeError(query.lastError())};
        } else if (!query.next()) {
            report(Text::tr("Creating the database %1…").arg(databaseName()));
            // An identifier cannot be bound; the name is our own constant.
            if (!query.exec(QStringLiteral("CREATE DATABASE ") + databaseName()))
                outcome = Error{DatabaseConnection::describeError(query.lastError())};
        }
    }
    DatabaseConnection::close(purpose);
    return outcome;
}

Status EmbeddedPostgres::reset()
{
    if (m_running) {
        if (const Status stopped = stop(); !stopped)
            return stopped;
    }
    if (!QFileInfo::exists(m_directory))
        return Status::success();
    report(Text::tr("Throwing away the demo database in %1…").arg(m_directory));
    if (isPostmasterOf(serverPid(), dataDirectory())) {
        const auto bin = findBinDirectory();
        if (bin) {
            m_binDirectory = *bin;
            runTool(QStringLiteral("pg_ctl"),
                    {QStringLiteral("stop"), QStringLiteral("-D"), dataDirectory(), QStringLiteral("-m"),
                     QStringLiteral("immediate"), QStringLiteral("-w")},
                    (kStopTimeoutSeconds + 10) * 1000);
        }
        if (isPostmasterOf(serverPid(), dataDirectory()))
            return Error{Text::tr("A PostgreSQL server (pid %1) still runs on %2; stop it first.")
                                 .arg(serverPid())
                                 .arg(dataDirectory())};
    }
    if (!QDir(m_directory).removeRecursively())
        return Error{Text::tr("Could not delete %1.").arg(m_directory)};
    return Status::success();
}

Result<ConnectionSettings> EmbeddedPostgres::start()
{
    if (m_running)
        return settingsFor(databaseName());
    const auto bin = findBinDirectory();
    if (!bin)
        return Error{bin.error()};
    m_binDirectory = *bin;

    if (const Status prepared = prepareDirectory(); !prepared)
        return Error{prepared.error()};

    auto lock = std::make_unique<QLockFile>(m_directory + QStringLiteral("/callops-demo.lock"));
    lock->setStaleLockTime(0);
    if (!lock->tryLock(0)) {
        qint64 pid = 0;
        QString host;
        QString application;
        lock->getLockInfo(&pid, &host, &application);
        return Error{Text::tr("Another CallOps demo (process %1) is using %2; close it first.")
                             .arg(pid)
                             .arg(m_directory)};
    }

    if (!QFileInfo::exists(dataDirectory() + QStringLiteral("/PG_VERSION"))) {
        if (const Status made = initialise(); !made)
            return Error{made.error()};
    } else {
        report(Text::tr("Reusing the demo database cluster in %1.").arg(dataDirectory()));
    }
    const auto password = readPassword();
    if (!password)
        return Error{password.error()};
    m_password = *password;

    if (const Status cleared = clearStaleServer(); !cleared)
        return Error{cleared.error()};
    if (const Status started = startServer(); !started)
        return Error{started.error()};
    m_running = true;
    m_lock = std::move(lock);

    if (const Status created = ensureDatabase(settingsFor(kPostgresUser)); !created) {
        const QString message = created.error();
        stop();
        return Error{message};
    }
    report(Text::tr("The demo database is ready on 127.0.0.1:%1.").arg(m_port));
    return settingsFor(databaseName());
}

Status EmbeddedPostgres::stop()
{
    if (!m_running)
        return Status::success();
    report(Text::tr("Stopping the demo PostgreSQL…"));
    const qint64 pid = serverPid();
    Status outcome = Status::success();
    const auto fast = runTool(QStringLiteral("pg_ctl"),
                              {QStringLiteral("stop"), QStringLiteral("-D"), dataDirectory(),
                               QStringLiteral("-m"), QStringLiteral("fast"), QStringLiteral("-w"),
                               QStringLiteral("-t"), QString::number(kStopTimeoutSeconds)},
                              (kStopTimeoutSeconds + 10) * 1000);
    if (!fast || fast->exitCode != 0) {
        qCWarning(lcDemoPostgres) << "fast shutdown did not work; stopping immediately";
        const auto immediate
                = runTool(QStringLiteral("pg_ctl"),
                          {QStringLiteral("stop"), QStringLiteral("-D"), dataDirectory(),
                           QStringLiteral("-m"), QStringLiteral("immediate"), QStringLiteral("-w")},
                          (kStopTimeoutSeconds + 10) * 1000);
        if (!immediate || immediate->exitCode != 0) {
            // pg_ctl exits 1 when the server is already gone (a SIGINT reached it first): fine then.
            if (processAlive(pid))
                outcome = Error{Text::tr("The demo PostgreSQL (pid %1) did not stop.").arg(pid)};
        }
    }
    m_running = false;
    m_port = 0;
    if (m_lock) {
        m_lock->unlock();
        m_lock.reset();
    }
    return outcome;
}

} // namespace callops
