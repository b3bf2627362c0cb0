#include "KeychainStore.h"

#include <QCoreApplication>

#ifdef CALLOPS_WITH_KEYCHAIN
#include <qt6keychain/keychain.h>
#endif

namespace callops {
namespace {

const QString kService = QStringLiteral("CallOps");
const QString kKey = QStringLiteral("supabase-service-role-key");

} // namespace

KeychainStore::KeychainStore(QObject *parent)
    : QObject(parent)
{ }

bool KeychainStore::isAvailable()
{
#ifdef CALLOPS_WITH_KEYCHAIN
    // QtKeychain 0.13 cannot tell in advance whether a backend answers; a failed job says so.
    return true;
#else
    return false;
#endif
}

void KeychainStore::writeServiceKey(const QString &key)
{
#ifdef CALLOPS_WITH_KEYCHAIN
    auto *job = new QKeychain::WritePasswordJob(kService, this);
    job->setKey(kKey);
    job->setTextData(key);
    connect(job, &QKeychain::Job::finished, this, [this](QKeychain::Job *finished) {
        emit written(finished->error() == QKeychain::NoError, finished->errorString());
    });
    job->start();
#else
    Q_UNUSED(key)
    emit written(false, QCoreApplication::translate("KeychainStore", "This build has no keychain support."));
#endif
}

void KeychainStore::readServiceKey()
{
#ifdef CALLOPS_WITH_KEYCHAIN
    auto *job = new QKeychain::ReadPasswordJob(kService, this);
    job->setKey(kKey);
    connect(job, &QKeychain::Job::finished, this, [this](QKeychain::Job *finished) {
        auto *readJob = static_cast<QKeychain::ReadPasswordJob *>(finished);
        emit read(readJob->error() == QKeychain::NoError, readJob->textData(), readJob->errorString());
    });
    job->start();
#else
    emit read(false, {}, QCoreApplication::translate("KeychainStore", "This build has no keychain support."));
#endif
}

} // namespace callops
