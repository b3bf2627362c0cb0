#pragma once

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QUrl>

class QProcess;

namespace callops::test {

// The processes the multi-process tests (fleet, fault suite) run: callops-telephony-sim and
// callops --no-gui schedulers, each ended by the kernel with the test.

// A child that outlived an aborted test (Qt Test's watchdog, a crash) would keep calling the
// simulator and holding rows: the kernel ends it with its parent.
void dieWithTheTest(QProcess &process);

// Starts the simulator `program` with `arguments` (which include --port 0) and returns the port it
// printed on its first line, or 0 when it did not start or said nothing within 20 s.
quint16 startTelephonySimulator(QProcess &process, const QString &program, const QStringList &arguments);

// `base` plus what a scheduler under test needs: the database and the simulator, the key, no
// calls-per-second limit, one-second interval, HTTP timeout, waits and backoff base (cap 2 s), and
// only warnings of its own in the log. Callers add their calling hours and time-outs.
QProcessEnvironment fastSchedulerEnvironment(QProcessEnvironment base, const QString &databaseUrl,
                                             quint16 simulatorPort, const QString &key);

struct OncePassRun
{
    int exitCode = -1; // -1: it did not start, crashed or did not finish within 60 s
    QByteArray out;
    QByteArray err;
};

// Runs `program --no-gui --once --calls-per-second 0` (calling hours all week) against the database
// and call trigger given, and waits for it with the event loop turning: a ContractServer on the
// test's thread answers its calls meanwhile.
OncePassRun runOncePass(const QString &program, const QString &databaseUrl, const QUrl &supabaseUrl,
                        const QString &key);
// The same with other arguments (`--check`).
OncePassRun runWithScheduler(const QString &program, const QString &databaseUrl, const QUrl &supabaseUrl,
                             const QString &key, const QStringList &arguments);

} // namespace callops::test
