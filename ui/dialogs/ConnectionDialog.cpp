#include "ConnectionDialog.h"

#include "KeychainStore.h"
#include "config/Settings.h"
#include "db/ConnectionSettings.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace callops {

ConnectionDialog::ConnectionDialog(Settings &settings, QWidget *parent)
    : QDialog(parent)
    , m_settings(settings)
    , m_keychain(new KeychainStore(this))
    , m_databaseUrl(new QLineEdit(this))
    , m_supabaseUrl(new QLineEdit(this))
    , m_serviceKey(new QLineEdit(this))
    , m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("connectionDialog"));
    setWindowTitle(tr("Connect to a database"));
    m_databaseUrl->setObjectName(QStringLiteral("databaseUrl"));
    m_databaseUrl->setPlaceholderText(QStringLiteral("postgresql://user@db.<ref>.supabase.co:5432/postgres"));
    m_databaseUrl->setText(settings.string(Settings::Key::DatabaseUrl));
    m_supabaseUrl->setObjectName(QStringLiteral("supabaseUrl"));
    m_supabaseUrl->setPlaceholderText(QStringLiteral("https://<ref>.supabase.co"));
    m_supabaseUrl->setText(settings.string(Settings::Key::SupabaseUrl));
    m_serviceKey->setObjectName(QStringLiteral("serviceKey"));
    m_serviceKey->setEchoMode(QLineEdit::Password);
    m_serviceKey->setPlaceholderText(KeychainStore::isAvailable()
                                             ? tr("Kept in the system keychain")
                                             : tr("No keychain: set SUPABASE_SERVICE_ROLE_KEY instead"));
    m_serviceKey->setEnabled(KeychainStore::isAvailable());

    auto *intro
            = new QLabel(tr("The console reads and changes pending calls in this PostgreSQL database. Use "
                            "Supabase's direct host or its session pooler (port 5432); the transaction "
                            "pooler (6543) cannot deliver live updates."),
                         this);
    intro->setWordWrap(true);
    m_status->setWordWrap(true);
    m_status->setObjectName(QStringLiteral("connectionStatus"));

    auto *form = new QFormLayout;
    form->addRow(tr("&Database URL"), m_databaseUrl);
    form->addRow(tr("Supabase &URL"), m_supabaseUrl);
    form->addRow(tr("Service role &key"), m_serviceKey);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    auto *demo = buttons->addButton(tr("&Try the demo"), QDialogButtonBox::ActionRole);
    demo->setObjectName(QStringLiteral("tryDemo"));
    demo->setToolTip(tr("Runs CallOps with its own private database and simulated calls."));

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_status);
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::accepted, this, &ConnectionDialog::save);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(demo, &QPushButton::clicked, this, [this] {
        emit demoRequested();
        reject();
    });
    connect(m_keychain, &KeychainStore::written, this, [this](bool ok, const QString &message) {
        if (ok) {
            accept();
            return;
        }
        m_status->setText(tr("The key could not be stored in the keychain: %1").arg(message));
    });
    resize(560, sizeHint().height());
}

QString ConnectionDialog::databaseUrl() const
{
    return m_databaseUrl->text().trimmed();
}

QString ConnectionDialog::supabaseUrl() const
{
    return m_supabaseUrl->text().trimmed();
}

QString ConnectionDialog::serviceKey() const
{
    return m_serviceKey->text().trimmed();
}

void ConnectionDialog::save()
{
    const auto parsed = ConnectionSettings::parse(databaseUrl());
    if (!parsed) {
        m_status->setText(parsed.error());
        return;
    }
    if (parsed->looksLikeTransactionPooler()) {
        m_status->setText(tr("This is Supabase's transaction pooler (port 6543): live updates and prepared "
                             "statements do not work through it. Use the session pooler on port 5432."));
        return;
    }
    m_settings.setFileValue(Settings::Key::DatabaseUrl, databaseUrl());
    m_settings.setFileValue(Settings::Key::SupabaseUrl, supabaseUrl());
    // The key never goes to the settings file: it is used for this run and kept in the keychain.
    if (!serviceKey().isEmpty()) {
        m_settings.setCommandLineValue(Settings::Key::ServiceRoleKey, serviceKey());
        if (KeychainStore::isAvailable()) {
            m_status->setText(tr("Storing the key in the keychain…"));
            m_keychain->writeServiceKey(serviceKey());
            return;
        }
    }
    accept();
}

} // namespace callops
