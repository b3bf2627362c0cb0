// The headless scheduler as systemd runs it (Type=notify): `callops --no-gui` says READY=1 once it
// runs (not before its checks pass, never when they fail), how its passes go in STATUS= lines,
// WATCHDOG=1 while its engine's thread is alive, and STOPPING=1 on SIGTERM. The test stands in for
// systemd: a datagram socket named in NOTIFY_SOCKET, as systemd makes one for the service.
#include "ChildProcesses.h"
#include "ClosedPort.h"
#include "ContractServer.h"
#include "TestDatabase.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSocketNotifier>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <utility>

using namespace callops;
using namespace callops::test;

namespace {

// systemd's end of the notification socket: every datagram, with when it came.
class NotifySocket
{
public:
    struct Message
    {
        qint64 atMs = 0;
        QByteArray text;
    };

    explicit NotifySocket(const QString &path)
        : m_path(path)
    {
        m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        const QByteArray name = path.toLocal8Bit();
        if (m_fd < 0 || size_t(name.size()) >= sizeof(address.sun_path))
            return;
        std::memcpy(address.sun_path, name.constData(), size_t(name.size()));
        if (::bind(m_fd, reinterpret_cast<const sockaddr *>(&address), sizeof(address)) != 0)
            return;
        m_bound = true;
        m_clock.start();
        m_notifier = std::make_unique<QSocketNotifier>(m_fd, QSocketNotifier::Read);
        QObject::connect(m_notifier.get(), &QSocketNotifier::activated, [this] { read(); });
    }
    ~NotifySocket()
    {
        m_notifier.reset();
        if (m_fd >= 0)
            ::close(m_fd);
    }

    bool isBound() const { return m_bound; }
    QString path() const { return m_path; }
    const QList<Message> &messages() const { return m_messages; }
    // The messages with a line `line` ("READY=1", "WATCHDOG=1") or starting with it ("STATUS=").
    QList<Message> with(const QByteArray &line) const
    {
        QList<Message> found;
        for (const Message &message : m_messages) {
            for (const QByteArray &part : message.text.split('\n')) {
                if (part.startsWith(line)) {
                    found.append(message);
                    break;
                }
            }
        }
        return found;
    }
    QByteArray all() const
    {
        QByteArrayList texts;
        for (const Message &message : m_messages)
            texts.append(message.text);
        return texts.join(" | ");
    }

private:
    void read()
    {
        char buffer[4096];
        for (;;) {
            const ssize_t size = ::recv(m_fd, buffer, sizeof(buffer), 0);
            if (size < 0)
                return;
            m_messages.append({m_clock.elapsed(), QByteArray(buffer, qsizetype(size))});
        }
    }

    QString m_path;
    int m_fd = -1;
    bool m_bound = false;
    QElapsedTimer m_clock;
    std::unique_ptr<QSocketNotifier> m_notifier;
    QList<Message> m_messages;
};

} // namespace

class TestServiceNotify : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void readyStatusWatchdogAndStopping();
    void watchdogPingsComeFromTheEnginesThread();
    void notReadyWhenItCannotStart();
    void noPingsForAnotherProcess();

private:
    // callops --no-gui against the test database and call trigger, told to notify `socket`.
    void startScheduler(QProcess &process, const NotifySocket &socket, const QString &databaseUrl,
                        const QString &watchdogUsec = QStringLiteral("600000"),
                        const QList<std::pair<QString, QString>> &extra = {});

    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<ContractServer> m_server;
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestServiceNotify::init()
{
    m_db = std::make_unique<TestDatabase>(QString::fromLatin1(QTest::currentTestFunction()));
    QVERIFY2(m_db->isValid() && m_db->migrate(), qPrintable(m_db->error()));
    m_server = std::make_unique<ContractServer>();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestServiceNotify::cleanup()
{
    m_server.reset();
    m_db.reset();
    m_dir.reset();
}

void TestServiceNotify::startScheduler(QProcess &process, const NotifySocket &socket,
                                       const QString &databaseUrl, const QString &watchdogUsec,
                                       const QList<std::pair<QString, QString>> &extra)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert("DATABASE_URL", databaseUrl);
    environment.insert("SUPABASE_URL", m_server->baseUrl().toString());
    environment.insert("SUPABASE_SERVICE_ROLE_KEY", "sb_secret_notifyTestKey");
    environment.insert("CALLOPS_CALLS_PER_SECOND", "0");
    environment.insert("CALLOPS_INTERVAL", "1");
    environment.insert("CALLOPS_CALLING_HOURS", "mon-sun 00:00-24:00");
    environment.insert("XDG_CONFIG_HOME", m_dir->filePath("config"));
    environment.insert("NOTIFY_SOCKET", socket.path());
    environment.insert("WATCHDOG_USEC", watchdogUsec);
    for (const auto &[name, value] : extra)
        environment.insert(name, value);
    process.setProcessEnvironment(environment);
    process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    dieWithTheTest(process);
    process.start(QStringLiteral(CALLOPS_BINARY), {QStringLiteral("--no-gui")});
}

void TestServiceNotify::readyStatusWatchdogAndStopping()
{
    QSqlQuery insert(m_db->connection());
    QVERIFY2(insert.exec("INSERT INTO pending_calls (exam_id, phone, workflow_state) "
                         "VALUES ('EX-N1', '+1 212-736-5000', 'ready_to_call')"),
             qPrintable(insert.lastError().text()));
    NotifySocket systemd(m_dir->filePath("notify"));
    QVERIFY(systemd.isBound());
    QProcess scheduler;
    startScheduler(scheduler, systemd, m_db->url());

    QTRY_VERIFY_WITH_TIMEOUT(!systemd.with("READY=1").isEmpty(), 30000);
    // Ready is the first thing said: nothing before the checks passed and the engine ran.
    QVERIFY2(systemd.messages().first().text.startsWith("READY=1\nSTATUS=Running against "), systemd.all());
    // The call was placed, and the status says how the pass went.
    QTRY_COMPARE_WITH_TIMEOUT(m_server->received().size(), 1, 20000);
    QTRY_VERIFY2_WITH_TIMEOUT(systemd.all().contains(": 1 claimed, 1 calls started"), systemd.all(), 20000);
    // Pinged at a third of WATCHDOG_USEC (600 ms).
    QTRY_VERIFY_WITH_TIMEOUT(systemd.with("WATCHDOG=1").size() >= 5, 20000);

    scheduler.terminate();
    QVERIFY(scheduler.waitForFinished(30000));
    QCOMPARE(scheduler.exitStatus(), QProcess::NormalExit);
    QCOMPARE(scheduler.exitCode(), 0);
    QTest::qWait(100); // the last datagrams
    QVERIFY2(!systemd.with("STOPPING=1").isEmpty(), systemd.all());
}

// A scheduler whose engine is stuck is what the watchdog is for: the pings go through the engine's
// thread, so they stop while it waits (here on a table lock, up to its lock_timeout) and come back
// after, while the process's main thread never stopped.
void TestServiceNotify::watchdogPingsComeFromTheEnginesThread()
{
    NotifySocket systemd(m_dir->filePath("notify"));
    QVERIFY(systemd.isBound());
    QProcess scheduler;
    startScheduler(scheduler, systemd, m_db->url(), QStringLiteral("300000")); // a ping every 100 ms
    QTRY_VERIFY_WITH_TIMEOUT(systemd.with("WATCHDOG=1").size() >= 5, 30000);

    QSqlDatabase db = m_db->connection();
    QVERIFY(QSqlQuery(db).exec("BEGIN"));
    QVERIFY(QSqlQuery(db).exec("LOCK TABLE pending_calls IN ACCESS EXCLUSIVE MODE"));
    QElapsedTimer held;
    held.start();
    // The engine's next pass (every second) waits on the lock; the pings wait with it.
    QTest::qWait(4000);
    QVERIFY(QSqlQuery(db).exec("ROLLBACK"));
    const qint64 before = systemd.with("WATCHDOG=1").size();
    QTRY_VERIFY_WITH_TIMEOUT(systemd.with("WATCHDOG=1").size() >= before + 5, 20000);

    qint64 longestGapMs = 0;
    const QList<NotifySocket::Message> pings = systemd.with("WATCHDOG=1");
    for (qsizetype i = 1; i < pings.size(); ++i)
        longestGapMs = std::max(longestGapMs, pings.at(i).atMs - pings.at(i - 1).atMs);
    QVERIFY2(longestGapMs >= 2000, qPrintable(QString::number(longestGapMs)));

    scheduler.terminate();
    QVERIFY(scheduler.waitForFinished(30000));
    QCOMPARE(scheduler.exitCode(), 0);
}

void TestServiceNotify::notReadyWhenItCannotStart()
{
    // Nothing listens where the database should be: exit 75 (systemd restarts it later), and never
    // READY=1, so that `systemctl start` fails rather than report a scheduler that is not running.
    NotifySocket systemd(m_dir->filePath("notify"));
    QVERIFY(systemd.isBound());
    QProcess scheduler;
    startScheduler(scheduler, systemd,
                   QStringLiteral("postgresql://postgres@127.0.0.1:%1/postgres?connect_timeout=5")
                           .arg(closedPort()));
    QVERIFY(scheduler.waitForFinished(60000));
    QCOMPARE(scheduler.exitCode(), 75);
    QTest::qWait(100);
    QVERIFY2(systemd.with("READY=1").isEmpty(), systemd.all());
}

// WATCHDOG_PID names the process systemd watches; pings are for that one only.
void TestServiceNotify::noPingsForAnotherProcess()
{
    NotifySocket systemd(m_dir->filePath("notify"));
    QVERIFY(systemd.isBound());
    QProcess scheduler;
    startScheduler(scheduler, systemd, m_db->url(), QStringLiteral("300000"), {{"WATCHDOG_PID", "1"}});
    QTRY_VERIFY_WITH_TIMEOUT(!systemd.with("READY=1").isEmpty(), 30000);
    QTest::qWait(1500);
    QVERIFY2(systemd.with("WATCHDOG=1").isEmpty(), systemd.all());
    scheduler.terminate();
    QVERIFY(scheduler.waitForFinished(30000));
    QCOMPARE(scheduler.exitCode(), 0);
}

QTEST_GUILESS_MAIN(TestServiceNotify)
#include "TestServiceNotify.moc"
