#include "ChildProcesses.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QProcess>
#include <QTest>

#include <csignal>
#include <sys/prctl.h>

namespace callops::test {

OncePassRun runOncePass(const QString &program, const QString &databaseUrl, const QUrl &supabaseUrl,
                        const QString &key)
{
    return runWithScheduler(program, databaseUrl, supabaseUrl, key,
                            {QStringLiteral("--no-gui"), QStringLiteral("--once"),
                             QStringLiteral("--calls-per-second"), QStringLiteral("0")});
}

OncePassRun runWithScheduler(const QString &program, const QString &databaseUrl, const QUrl &supabaseUrl,
                             const QString &key, const QStringList &arguments)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DATABASE_URL"), databaseUrl);
    env.insert(QStringLiteral("SUPABASE_URL"), supabaseUrl.toString());
    env.insert(QStringLiteral("SUPABASE_SERVICE_ROLE_KEY"), key);
    env.insert(QStringLiteral("CALLOPS_CALLING_HOURS"), QStringLiteral("mon-sun 00:00-24:00"));
    process.setProcessEnvironment(env);
    dieWithTheTest(process);
    process.start(program, arguments);
    OncePassRun run;
    if (!process.waitForStarted())
        return run;
    const QDeadlineTimer deadline(60000);
    while (process.state() != QProcess::NotRunning && !deadline.hasExpired())
        QTest::qWait(50);
    const bool finished = process.state() == QProcess::NotRunning;
    if (!finished) {
        process.kill();
        process.waitForFinished();
    }
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    if (finished && process.exitStatus() == QProcess::NormalExit)
        run.exitCode = process.exitCode();
    return run;
}

void dieWithTheTest(QProcess &process)
{
    process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
}

quint16 startTelephonySimulator(QProcess &process, const QString &program, const QStringList &arguments)
{
    dieWithTheTest(process);
    process.start(program, arguments);
    if (!process.waitForStarted(10000))
        return 0;
    QElapsedTimer timer;
    timer.start();
    while (!process.canReadLine() && timer.elapsed() < 20000)
        process.waitForReadyRead(500);
    return QString::fromUtf8(process.readLine()).trimmed().toUShort();
}

QProcessEnvironment fastSchedulerEnvironment(QProcessEnvironment base, const QString &databaseUrl,
                                             quint16 simulatorPort, const QString &key)
{
    base.insert("DATABASE_URL", databaseUrl);
    base.insert("SUPABASE_URL", QStringLiteral("http://127.0.0.1:%1").arg(simulatorPort));
    base.insert("SUPABASE_SERVICE_ROLE_KEY", key);
    base.insert("CALLOPS_CALLS_PER_SECOND", "0");
    base.insert("CALLOPS_INTERVAL", "1");
    base.insert("CALLOPS_HTTP_TIMEOUT", "1");
    base.insert("CALLOPS_IVR_WAIT", "1");
    base.insert("CALLOPS_TASK_RETRY_DELAY", "1");
    base.insert("CALLOPS_BACKOFF_BASE", "1");
    base.insert("CALLOPS_BACKOFF_CAP", "2");
    base.insert("QT_LOGGING_RULES", "callops.*.info=false;callops.http.warning=false");
    return base;
}

} // namespace callops::test
