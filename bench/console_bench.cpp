// The console's benchmark driver for bench/run: the real MainWindow (offscreen) against a database
// bench/run seeded with a million rows.
//
//   callops_console_bench --db URL [--rows N]
//
// Measures, from connectToDatabase(): when the state counts are first shown and when the first page
// of the call table arrives; then the longest stall of the GUI thread while refreshes run (three
// refreshes, one after another). The stall probe is a 5 ms QTimer on the GUI thread: a tick that comes
// late by more than its interval means the event loop was blocked that long. Prints one JSON line;
// bench/run adds the peak RSS from /usr/bin/time -v.
#include "BenchSupport.h"

#include "MainWindow.h"
#include "calls/CallTableModel.h"
#include "console/StateCounts.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QTimer>

using namespace callops;
using namespace callops::bench;

namespace {

constexpr int kProbeIntervalMs = 5;
constexpr int kRefreshes = 3;
constexpr int kTimeoutMs = 5 * 60 * 1000;

// Records how late each tick of a fast timer on the GUI thread comes.
class StallProbe final : public QObject
{
public:
    StallProbe()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(kProbeIntervalMs);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            if (m_last >= 0)
                m_longest = qMax(m_longest, now - m_last - qint64(kProbeIntervalMs) * 1000000);
            m_last = now;
        });
        m_clock.start();
        m_timer.start();
    }
    void reset()
    {
        m_longest = 0;
        m_last = -1;
    }
    double longestMs() const { return double(m_longest) / 1e6; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = -1;
    qint64 m_longest = 0;
};

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    const auto options = parseOptions(QCoreApplication::arguments());
    if (!options)
        return fail(options.error());

    MainWindow window;
    window.setRefreshIntervalSeconds(3600); // refreshes come from the benchmark only
    window.show();

    StallProbe probe;
    QElapsedTimer clock;
    double countsMs = -1;
    double firstPageMs = -1;
    double initialStallMs = 0;
    qint64 total = -1;
    int refreshesDone = 0;
    bool countsSeen = false;
    bool pageSeen = false;
    bool refreshing = false;
    QString error;

    auto startRefresh = [&] {
        countsSeen = pageSeen = false;
        refreshing = true;
        window.refreshNow();
    };
    auto stepDone = [&] {
        if (!countsSeen || !pageSeen)
            return;
        if (!refreshing) {
            initialStallMs = probe.longestMs();
            // Let the first paint and any follow-up work settle, then measure refreshes.
            QTimer::singleShot(500, &window, [&] {
                probe.reset();
                startRefresh();
            });
            refreshing = true; // the next completions belong to refreshes
            countsSeen = pageSeen = false;
            return;
        }
        if (++refreshesDone >= kRefreshes)
            QTimer::singleShot(100, &app, &QApplication::quit); // catch a stall right after the last
        else
            startRefresh();
    };

    QObject::connect(&window, &MainWindow::countsUpdated, &app, [&](const StateCounts &counts) {
        if (countsMs < 0) {
            countsMs = double(clock.nsecsElapsed()) / 1e6;
            total = counts.total;
        }
        countsSeen = true;
        stepDone();
    });
    QObject::connect(window.model(), &CallTableModel::pageArrived, &app, [&] {
        if (window.model()->rowCount() <= 0)
            return;
        if (firstPageMs < 0)
            firstPageMs = double(clock.nsecsElapsed()) / 1e6;
        pageSeen = true;
        stepDone();
    });
    QTimer::singleShot(kTimeoutMs, &app, [&] {
        error = QStringLiteral("timed out (counts %1 ms, first page %2 ms, %3 refreshes)")
                        .arg(countsMs)
                        .arg(firstPageMs)
                        .arg(refreshesDone);
        QApplication::quit();
    });

    probe.reset();
    clock.start();
    window.connectToDatabase(options->databaseUrl);
    QApplication::exec();
    if (!error.isEmpty())
        return fail(error);
    if (options->rows > 0 && total != options->rows)
        return fail(
                QStringLiteral("the console counted %1 calls, %2 were seeded").arg(total).arg(options->rows));
    printJson({{QStringLiteral("counts_ms"), qRound(countsMs)},
               {QStringLiteral("first_page_ms"), qRound(firstPageMs)},
               {QStringLiteral("max_stall_ms"), qRound(probe.longestMs() * 10) / 10.0},
               {QStringLiteral("max_stall_initial_load_ms"), qRound(initialStallMs * 10) / 10.0},
               {QStringLiteral("refreshes"), refreshesDone},
               {QStringLiteral("table_rows_loaded"), window.model()->rowCount()},
               {QStringLiteral("counted_calls"), total}});
    return 0;
}
