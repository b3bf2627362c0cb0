#include "ChildProcesses.h"

#include <QElapsedTimer>
#include <QProcess>

#include <csignal>
#include <sys/prctl.h>

namespace callops::test {

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
