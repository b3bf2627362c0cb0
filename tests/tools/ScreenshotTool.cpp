// Takes the console's screenshots for docs/screenshots (run by scripts/screenshots.sh under
// xvfb-run against a throwaway database it has seeded). Not a test.
#include "MainWindow.h"
#include "calls/CallDetailPane.h"
#include "calls/CallTableModel.h"
#include "dashboard/StateListView.h"
#include "dialogs/ActionDialog.h"
#include "i18n/Translation.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QTextStream>

using namespace callops;

namespace {

bool waitForData(MainWindow &window)
{
    return QTest::qWaitFor(
            [&] {
                return !window.counts().byState.isEmpty() && window.model()->rowCount() > 0
                        && !window.model()->isLoading() && window.model()->totalCount() >= 0;
            },
            30000);
}

bool selectExam(MainWindow &window, const QString &exam)
{
    CallTableModel *model = window.model();
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, CallTableModel::ExamId).data().toString() == exam) {
            window.table()->selectRow(row);
            const QString id = model->index(row, 0).data(CallTableModel::CallIdRole).toString();
            return QTest::qWaitFor([&] { return window.detailPane()->callId() == id; }, 10000);
        }
    }
    return false;
}

bool save(QWidget *widget, const QString &path)
{
    QTest::qWait(300); // let the last paint land
    const bool ok = widget->grab().save(path);
    QTextStream(stdout) << (ok ? "wrote " : "FAILED ") << path << Qt::endl;
    return ok;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));
    const QStringList args = QApplication::arguments();
    if (args.size() < 4) {
        QTextStream(stderr) << "usage: callops_screenshots DATABASE_URL OUTPUT_DIR EXAM_TO_SELECT"
                            << Qt::endl;
        return 2;
    }
    const QString url = args.at(1);
    const QDir out(args.at(2));
    const QString exam = args.at(3);
    bool ok = true;
    {
        translation::install(QStringLiteral("en"));
        MainWindow window;
        window.resize(1500, 900);
        window.connectToDatabase(url);
        window.show();
        ok = ok && waitForData(window) && selectExam(window, exam);
        ok = ok && save(&window, out.filePath(QStringLiteral("main-window.png")));

        window.stateList()->selectStuck();
        ok = ok
                && QTest::qWaitFor([&] { return window.model()->totalCount() == window.counts().stuck; },
                                   10000);
        ok = ok && QTest::qWaitFor([&] { return !window.model()->isLoading(); }, 10000);
        window.table()->selectRow(0);
        QTest::qWait(500);
        ok = ok && save(&window, out.filePath(QStringLiteral("stuck-calls.png")));

        window.actionFor(ManualAction::ResetStuck)->trigger();
        ActionDialog *dialog = nullptr;
        ok = ok && QTest::qWaitFor([&] {
                 dialog = window.findChild<ActionDialog *>();
                 return dialog && dialog->isVisible();
             });
        if (dialog) {
            dialog->setReason(QStringLiteral("Line dropped during the clinic's IVR menu"));
            ok = ok && save(dialog, out.filePath(QStringLiteral("action-dialog.png")));
            dialog->reject();
        }
    }
    {
        translation::install(QStringLiteral("es"));
        MainWindow window;
        window.resize(1500, 900);
        window.connectToDatabase(url);
        window.show();
        ok = ok && waitForData(window) && selectExam(window, exam);
        ok = ok && save(&window, out.filePath(QStringLiteral("main-window-es.png")));
    }
    return ok ? 0 : 1;
}
