#pragma once

#include <QDialog>

class QLabel;
class QLineEdit;

namespace callops {

class Settings;
class KeychainStore;

// Where the console connects: the database URL and the Supabase URL and service key. The URLs go
// to the settings file, the key only to the system keychain. With nothing configured it offers
// the demo instead.
class ConnectionDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionDialog)

public:
    explicit ConnectionDialog(Settings &settings, QWidget *parent = nullptr);

    QString databaseUrl() const;
    QString supabaseUrl() const;
    QString serviceKey() const;

signals:
    // The user chose the demo; the caller re-launches `callops --demo`.
    void demoRequested();

private:
    void save();

    Settings &m_settings;
    KeychainStore *m_keychain = nullptr;
    QLineEdit *m_databaseUrl = nullptr;
    QLineEdit *m_supabaseUrl = nullptr;
    QLineEdit *m_serviceKey = nullptr;
    QLabel *m_status = nullptr;
};

} // namespace callops
