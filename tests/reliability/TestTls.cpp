// TLS to PostgreSQL: a throwaway CA and server certificate (CN and SAN 127.0.0.1 and localhost)
// made with openssl, a private cluster of our own with ssl=on, and CallOps' real connection path
// (DatabaseConnection and callops --migrate). verify-full connects with the CA, refuses with a
// different CA (one line naming host:port, exit code 2), and require connects without one.
// TLS to the call endpoint (https://, as Supabase serves it): the same certificate on a
// pre-classify-call endpoint; the call trigger posts when the CA is trusted, and when it is not
// the POST fails before anything (the key above all) reaches the server.
#include "ChildProcesses.h"
#include "ContractServer.h"
#include "TestCluster.h"
#include "db/DatabaseConnection.h"
#include "telephony/CallTrigger.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace callops;
using callops::test::OncePassRun;
using callops::test::runWithScheduler;

namespace {

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

Run runProgram(const QString &program, const QStringList &args, const QProcessEnvironment &env = {})
{
    QProcess process;
    if (!env.isEmpty())
        process.setProcessEnvironment(env);
    process.start(program, args);
    if (!process.waitForFinished(120000))
        process.kill();
    process.waitForFinished();
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

} // namespace

class TestTls : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void verifyFullWithTheCaConnects_data();
    void verifyFullWithTheCaConnects();
    void migrateOverVerifyFull();
    void verifyFullWithAnotherCaIsRefused();
    void requireConnectsWithoutACa();
    void callTriggerPostsOverHttps();
    void callTriggerSendsNothingToAnUntrustedServer();
    void checkSaysTheCallTriggersCertificateIsNotTrusted();

private:
    bool openssl(const QStringList &args);
    std::unique_ptr<callops::test::ContractServer> httpsServer();
    CallResult postOnce(const QUrl &baseUrl);
    ConnectionSettings settings(const QString &host, const QString &sslOptions) const;
    QString url(const QString &sslQuery) const;

    QTemporaryDir m_dir;
    QString m_envFile;
    QString m_clusterDir;
    QString m_password;
    int m_port = 0;
    bool m_started = false;
};

bool TestTls::openssl(const QStringList &args)
{
    const Run run = runProgram(QStringLiteral("openssl"), args);
    if (run.exitCode != 0)
        qWarning("openssl %s: %s", qPrintable(args.join(' ')), qPrintable(run.err));
    return run.exitCode == 0;
}

void TestTls::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QString d = m_dir.path() + '/';
    // A CA, a server certificate it signs for 127.0.0.1 and localhost, and an unrelated CA.
    QVERIFY(openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                     "-keyout", d + "ca.key", "-out", d + "ca.crt", "-days", "2", "-subj",
                     "/CN=CallOps Test CA"}));
    QVERIFY(openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                     "-keyout", d + "other.key", "-out", d + "other-ca.crt", "-days", "2", "-subj",
                     "/CN=Some Other CA"}));
    QVERIFY(openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                     d + "server.key", "-out", d + "server.csr", "-subj", "/CN=127.0.0.1"}));
    {
        QFile ext(d + "server.ext");
        QVERIFY(ext.open(QIODevice::WriteOnly));
        ext.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                  "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
    }
    QVERIFY(openssl({"x509", "-req", "-in", d + "server.csr", "-CA", d + "ca.crt", "-CAkey", d + "ca.key",
                     "-CAcreateserial", "-out", d + "server.crt", "-days", "2", "-extfile",
                     d + "server.ext"}));

    // A cluster of our own (the shared one must not change under other tests).
    m_envFile = d + "pg.env";
    const QString script = QStringLiteral(CALLOPS_SOURCE_DIR "/tests/support/pg_test_cluster.sh");
    const Run start = runProgram(script, {"start", m_envFile});
    QVERIFY2(start.exitCode == 0, qPrintable(start.err));
    m_started = true;
    const auto cluster = callops::test::TestCluster::fromFile(m_envFile);
    QVERIFY2(cluster.ok(), qPrintable(cluster.error()));
    m_port = cluster->port();
    m_password = cluster->password();
    m_clusterDir = cluster->dataDir();
    const QString bin = cluster->binDir();
    QVERIFY(!m_clusterDir.isEmpty());

    // The key must belong to the server's user and be readable by it alone.
    const QString data = m_clusterDir + "/data/";
    for (const QString &name : {QStringLiteral("server.crt"), QStringLiteral("server.key")}) {
        QFile::remove(data + name);
        QVERIFY(QFile::copy(d + name, data + name));
    }
    QVERIFY(QFile::setPermissions(data + "server.key", QFile::ReadOwner | QFile::WriteOwner));
    if (::geteuid() == 0) {
        QCOMPARE(
                runProgram("chown", {"postgres:postgres", data + "server.crt", data + "server.key"}).exitCode,
                0);
    }
    QProcessEnvironment psqlEnv = QProcessEnvironment::systemEnvironment();
    psqlEnv.insert("PGPASSWORD", m_password);
    const QStringList psql{"-X", "-q",        "-v", "ON_ERROR_STOP=1",
                           "-h", "127.0.0.1", "-p", QString::number(m_port),
                           "-U", "postgres",  "-d", "postgres"};
    for (const QString &sql :
         {QStringLiteral("ALTER SYSTEM SET ssl_cert_file = 'server.crt'"),
          QStringLiteral("ALTER SYSTEM SET ssl_key_file = 'server.key'"),
          QStringLiteral("ALTER SYSTEM SET ssl = on"), QStringLiteral("SELECT pg_reload_conf()")}) {
        const Run run = runProgram(bin + "/psql", psql + QStringList{"-c", sql}, psqlEnv);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + run.out));
    }
    // The reload is asynchronous: wait until a connection that requires TLS gets it.
    QTRY_VERIFY_WITH_TIMEOUT(runProgram(bin + "/psql", psql + QStringList{"-d", "postgres", "-c", "SELECT 1"},
                                        [&] {
                                            QProcessEnvironment e = psqlEnv;
                                            e.insert("PGSSLMODE", "require");
                                            return e;
                                        }())
                                             .exitCode
                                     == 0,
                             20000);
}

void TestTls::cleanupTestCase()
{
    for (const QString &name : QSqlDatabase::connectionNames())
        QSqlDatabase::removeDatabase(name);
    if (m_started) {
        const Run stop = runProgram(QStringLiteral(CALLOPS_SOURCE_DIR "/tests/support/pg_test_cluster.sh"),
                                    {"stop", m_envFile});
        QCOMPARE(stop.exitCode, 0);
        QVERIFY(!QDir(m_clusterDir).exists());
    }
}

ConnectionSettings TestTls::settings(const QString &host, const QString &sslOptions) const
{
    return ConnectionSettings::parse(
                   QStringLiteral("host=%1 port=%2 dbname=postgres user=postgres password=%3 %4")
                           .arg(host)
                           .arg(m_port)
                           .arg(m_password, sslOptions))
            .value();
}

QString TestTls::url(const QString &sslQuery) const
{
    return QStringLiteral("postgresql://postgres:%1@127.0.0.1:%2/postgres?%3")
            .arg(m_password)
            .arg(m_port)
            .arg(sslQuery);
}

void TestTls::verifyFullWithTheCaConnects_data()
{
    QTest::addColumn<QString>("host");
    QTest::newRow("IP address") << "127.0.0.1";
    QTest::newRow("host name") << "localhost";
}

void TestTls::verifyFullWithTheCaConnects()
{
    QFETCH(QString, host);
    {
        // Handles gone before the connection is closed.
        const auto db = DatabaseConnection::open(
                settings(host, "sslmode=verify-full sslrootcert=" + m_dir.filePath("ca.crt")), "tls-" + host);
        QVERIFY2(db.ok(), qPrintable(db.error()));
        QSqlQuery query(*db);
        QVERIFY(query.exec("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()"));
        QVERIFY(query.next());
        QVERIFY(query.value(0).toBool());
        QVERIFY2(query.value(1).toString().startsWith("TLSv1."), qPrintable(query.value(1).toString()));
    }
    DatabaseConnection::close("tls-" + host);
}

void TestTls::migrateOverVerifyFull()
{
    const Run run = runProgram(
            QStringLiteral(CALLOPS_BINARY),
            {"--migrate", "--db", url("sslmode=verify-full&sslrootcert=" + m_dir.filePath("ca.crt"))});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY2(run.err.contains("127.0.0.1:" + QString::number(m_port)), qPrintable(run.err));
    QVERIFY(!run.err.contains(m_password));
}

void TestTls::verifyFullWithAnotherCaIsRefused()
{
    const auto db = DatabaseConnection::open(
            settings("127.0.0.1", "sslmode=verify-full sslrootcert=" + m_dir.filePath("other-ca.crt")),
            "tls-other");
    QVERIFY(!db.ok());
    const QString endpoint = "127.0.0.1:" + QString::number(m_port);
    QVERIFY2(db.error().contains(endpoint), qPrintable(db.error()));
    QVERIFY2(db.error().contains("certificate", Qt::CaseInsensitive), qPrintable(db.error()));
    QVERIFY2(!db.error().contains('\n'), qPrintable(db.error()));
    QVERIFY(!db.error().contains(m_password));

    const Run run = runProgram(
            QStringLiteral(CALLOPS_BINARY),
            {"--migrate", "--db", url("sslmode=verify-full&sslrootcert=" + m_dir.filePath("other-ca.crt"))});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(endpoint), qPrintable(run.err));
    QCOMPARE(run.err.trimmed().count('\n'), 0);
    QVERIFY(!run.err.contains(m_password));
    QVERIFY(run.out.isEmpty());
}

void TestTls::requireConnectsWithoutACa()
{
    {
        const auto db = DatabaseConnection::open(settings("127.0.0.1", "sslmode=require"), "tls-require");
        QVERIFY2(db.ok(), qPrintable(db.error()));
        QSqlQuery query(*db);
        QVERIFY(query.exec("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"));
        QVERIFY(query.next());
        QVERIFY(query.value(0).toBool());
    }
    DatabaseConnection::close("tls-require");
}

std::unique_ptr<callops::test::ContractServer> TestTls::httpsServer()
{
    QFile certificate(m_dir.filePath("server.crt"));
    QFile key(m_dir.filePath("server.key"));
    if (!certificate.open(QIODevice::ReadOnly) || !key.open(QIODevice::ReadOnly))
        return {};
    return std::make_unique<callops::test::ContractServer>(QSslCertificate(&certificate, QSsl::Pem),
                                                           QSslKey(&key, QSsl::Ec, QSsl::Pem));
}

CallResult TestTls::postOnce(const QUrl &baseUrl)
{
    CallTrigger trigger({baseUrl, QStringLiteral("sb_secret_tls-test-key"), 15000});
    QSignalSpy finished(&trigger, &CallTrigger::finished);
    trigger.send({QStringLiteral("7d3f7c1e-2b1a-4f7e-9d55-6a0e1c2b3d4f"), CallKind::Task, 1});
    if (!finished.wait(30000) && finished.isEmpty())
        return {};
    return finished.first().first().value<CallResult>();
}

void TestTls::callTriggerPostsOverHttps()
{
    auto server = httpsServer();
    QVERIFY(server);
    QCOMPARE(server->baseUrl().scheme(), QStringLiteral("https"));
    // The system's trust store, plus our CA: what a machine trusting the endpoint's CA has.
    const QSslConfiguration system = QSslConfiguration::defaultConfiguration();
    QSslConfiguration trusting = system;
    trusting.addCaCertificates(m_dir.filePath("ca.crt"));
    QSslConfiguration::setDefaultConfiguration(trusting);
    const CallResult result = postOnce(server->baseUrl());
    QSslConfiguration::setDefaultConfiguration(system);

    QVERIFY2(result.status == CallResult::Status::Accepted, qPrintable(result.error));
    QCOMPARE(result.httpStatus, 202);
    QCOMPARE(server->received().size(), 1);
    QCOMPARE(server->received().first().apiKey, QByteArray("sb_secret_tls-test-key"));
    QCOMPARE(server->received().first().idempotencyKey,
             QStringLiteral("7d3f7c1e-2b1a-4f7e-9d55-6a0e1c2b3d4f:task:1"));
}

void TestTls::callTriggerSendsNothingToAnUntrustedServer()
{
    auto server = httpsServer();
    QVERIFY(server);
    // Refused, not a transient failure: every call would fail the same way, each spending an
    // attempt (on a server without ca-certificates, every call ended failed).
    const CallResult result = postOnce(server->baseUrl());
    QCOMPARE(result.status, CallResult::Status::Refused);
    QCOMPARE(result.httpStatus, 0);
    QVERIFY2(result.error.contains("SSL", Qt::CaseInsensitive)
                     || result.error.contains("certificate", Qt::CaseInsensitive),
             qPrintable(result.error));
    QVERIFY(!result.error.contains("tls-test-key"));
    QVERIFY2(server->received().isEmpty(), "the request reached a server whose certificate is not trusted");
}

void TestTls::checkSaysTheCallTriggersCertificateIsNotTrusted()
{
    // `callops --check` on a machine that does not trust the endpoint's CA (no ca-certificates, a
    // proxy intercepting TLS): said before the first call is refused, and nothing is sent. (The exit
    // code is the unreachable database's, whatever the certificate: not what this test is about.)
    auto server = httpsServer();
    QVERIFY(server);
    const OncePassRun check = runWithScheduler(
            QStringLiteral(CALLOPS_BINARY), QStringLiteral("postgresql://x@127.0.0.1:1/none"),
            server->baseUrl(), QStringLiteral("sb_secret_tls-test-key"), {QStringLiteral("--check")});
    const QString out = QString::fromUtf8(check.out);
    QVERIFY2(out.contains("FAIL The call trigger's TLS certificate is not trusted on this machine")
                     && out.contains("ca-certificates"),
             qPrintable(out + check.err));
    QVERIFY(!out.contains("tls-test-key"));
    QVERIFY2(server->received().isEmpty(), "the check sent a request");
}

QTEST_GUILESS_MAIN(TestTls)
#include "TestTls.moc"
