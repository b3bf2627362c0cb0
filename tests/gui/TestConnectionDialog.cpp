#include "config/Settings.h"
#include "dialogs/ConnectionDialog.h"

#include <QDialogButtonBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace callops;

class TestConnectionDialog : public QObject
{
    Q_OBJECT

private slots:
    void urlsGoToTheSettingsFileTheKeyNever();
    void transactionPoolerIsRefused();
    void demoIsOffered();
};

void TestConnectionDialog::urlsGoToTheSettingsFileTheKeyNever()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("callops.conf");
    Settings settings(path);
    ConnectionDialog dialog(settings);
    dialog.findChild<QLineEdit *>("databaseUrl")->setText("postgresql://ops@db.example.org:5432/calls");
    dialog.findChild<QLineEdit *>("supabaseUrl")->setText("https://abc.supabase.co");
    // No key typed: nothing to store in a keychain, the dialog accepts at once.
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Save)->click();
    QCOMPARE(accepted.count(), 1);
    Settings reread(path);
    QCOMPARE(reread.string(Settings::Key::DatabaseUrl), "postgresql://ops@db.example.org:5432/calls");
    QCOMPARE(reread.string(Settings::Key::SupabaseUrl), "https://abc.supabase.co");

    // A key given for this run is never written to the settings file.
    ConnectionDialog second(settings);
    second.findChild<QLineEdit *>("serviceKey")->setText("sb_secret_do_not_store");
    second.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Save)->click();
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(!file.readAll().contains("sb_secret_do_not_store"));
}

void TestConnectionDialog::transactionPoolerIsRefused()
{
    QTemporaryDir dir;
    Settings settings(dir.filePath("callops.conf"));
    ConnectionDialog dialog(settings);
    dialog.findChild<QLineEdit *>("databaseUrl")
            ->setText("postgresql://postgres.abc:pw@aws-0-eu-west-1.pooler.supabase.com:6543/postgres");
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Save)->click();
    QCOMPARE(accepted.count(), 0);
    QVERIFY(dialog.findChild<QLabel *>("connectionStatus")->text().contains("5432"));
    QVERIFY(Settings(dir.filePath("callops.conf")).string(Settings::Key::DatabaseUrl).isEmpty());
}

void TestConnectionDialog::demoIsOffered()
{
    QTemporaryDir dir;
    Settings settings(dir.filePath("callops.conf"));
    ConnectionDialog dialog(settings);
    QSignalSpy demo(&dialog, &ConnectionDialog::demoRequested);
    dialog.findChild<QPushButton *>("tryDemo")->click();
    QCOMPARE(demo.count(), 1);
}

QTEST_MAIN(TestConnectionDialog)
#include "TestConnectionDialog.moc"
