#pragma once

#include <QObject>

namespace callops {

// Keeps the Supabase service key in the system keychain (QtKeychain: Secret Service, KWallet, ...)
// when CallOps was built with it; never in the plain settings file. Jobs are asynchronous.
class KeychainStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeychainStore)

public:
    explicit KeychainStore(QObject *parent = nullptr);

    static bool isAvailable();
    void writeServiceKey(const QString &key);
    void readServiceKey();

signals:
    void written(bool ok, const QString &message);
    void read(bool ok, const QString &key, const QString &message);
};

} // namespace callops
