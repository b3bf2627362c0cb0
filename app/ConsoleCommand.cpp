#include "ConsoleCommand.h"

#include "ExitCode.h"
#include "MainWindow.h"
#include "config/Settings.h"
#include "console/ConsoleWorker.h"
#include "console/StuckRules.h"
#include "dialogs/ConnectionDialog.h"
#include "dialogs/ExportDialog.h"
#include "dialogs/KeychainStore.h"

#include <QApplication>
#include <QProcess>

namespace callops {
namespace {

bool launchDemo()
{
    return QProcess::startDetached(QCoreApplication::applicationFilePath(), {QStringLiteral("--demo")});
}

} // namespace

int ConsoleCommand::run(Settings &settings)
{
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/callops.svg")));

    QString url = settings.string(Settings::Key::DatabaseUrl);
    if (url.isEmpty()) {
        ConnectionDialog dialog(settings);
        bool demo = false;
        QObject::connect(&dialog, &ConnectionDialog::demoRequested, &dialog, [&demo] { demo = true; });
        const int answer = dialog.exec();
        if (demo)
            return launchDemo() ? ExitCode::Ok : ExitCode::Failure;
        if (answer != QDialog::Accepted)
            return ExitCode::Ok;
        url = dialog.databaseUrl();
    }

    // The service key from the keychain, for the scheduler the console may run; the environment or
    // the command line win when they have one.
    KeychainStore keychain;
    if (settings.string(Settings::Key::ServiceRoleKey).isEmpty() && KeychainStore::isAvailable()) {
        QObject::connect(&keychain, &KeychainStore::read, &keychain,
                         [&settings](bool ok, const QString &key, const QString &) {
                             if (ok && !key.isEmpty()
                                 && settings.string(Settings::Key::ServiceRoleKey).isEmpty())
                                 settings.setCommandLineValue(Settings::Key::ServiceRoleKey, key);
                         });
        keychain.readServiceKey();
    }

    MainWindow window(StuckRules::fromSettings(settings));
    window.setRefreshIntervalSeconds(15);
    window.setSettings(&settings);
    QObject::connect(&window, &MainWindow::connectionRequested, &window, [&window, &settings] {
        auto *dialog = new ConnectionDialog(settings, &window);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        QObject::connect(dialog, &ConnectionDialog::demoRequested, &window, [] { launchDemo(); });
        QObject::connect(dialog, &QDialog::accepted, &window,
                         [&window, dialog] { window.connectToDatabase(dialog->databaseUrl()); });
        dialog->open();
    });
    QObject::connect(&window, &MainWindow::exportRequested, &window, [&window] {
        auto *dialog = new ExportDialog(window.worker(), &window);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
    });
    window.connectToDatabase(url);
    window.show();
    return QApplication::exec();
}

} // namespace callops
