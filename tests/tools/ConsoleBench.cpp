// Measures the console against a big database (scripts/console-bench.sh seeds a million calls):
// how long the first page, more pages, a sort and a search take to arrive, and the longest the GUI
// thread went without running its event loop meanwhile. Not a test.
#include "MainWindow.h"
#include "calls/CallTableModel.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QTest>
#include <QTextStream>
#include <QTimer>

using namespace callops;

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    const QStringList args = QApplication::arguments();
    if (args.size() < 2) {
        QTextStream(stderr) << "usage: callops_console_bench DATABASE_URL" << Qt::endl;
        return 2;
    }
    QTextStream out(stdout);

    // The GUI thread's longest stall: a 5 ms timer that notes the largest gap between its ticks.
    QElapsedTimer sinceTick;
    qint64 maxStall = 0;
    QTimer ticker;
    ticker.setInterval(5);
    QObject::connect(&ticker, &QTimer::timeout, &ticker,
                     [&] { maxStall = std::max(maxStall, sinceTick.restart()); });

    MainWindow window;
    window.setRefreshIntervalSeconds(3600);
    window.resize(1400, 900);
    window.show();
    CallTableModel *model = window.model();
    auto settle = [&](const char *what, const std::function<bool()> &done) {
        QElapsedTimer timer;
        timer.start();
        const bool ok = QTest::qWaitFor([&] { return done() && !model->isLoading(); }, 120000);
        out << what << ": " << timer.elapsed() << " ms" << (ok ? "" : " (timed out)") << Qt::endl;
        return ok;
    };

    sinceTick.start();
    ticker.start();
    window.connectToDatabase(args.at(1));
    bool ok = settle("first page", [&] { return model->rowCount() > 0; });
    ok = ok && settle("total count", [&] { return model->totalCount() >= 0; });
    out << "rows matching: " << model->totalCount() << Qt::endl;
    for (int page = 0; ok && page < 10; ++page) {
        const int before = model->rowCount();
        model->fetchMore({});
        ok = settle("next page", [&] { return model->rowCount() > before; });
    }
    model->sort(CallTableModel::ExamId, Qt::AscendingOrder);
    ok = ok && settle("sort by exam", [&] { return model->rowCount() > 0; });
    window.searchField()->setText(QStringLiteral("(555) 000-4242"));
    ok = ok && settle("phone search", [&] { return model->totalCount() >= 0 && model->totalCount() < 1000; });
    ticker.stop();
    out << "longest GUI thread stall: " << maxStall << " ms" << Qt::endl;
    return ok ? 0 : 1;
}
