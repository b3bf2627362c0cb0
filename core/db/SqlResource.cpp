#include "SqlResource.h"

#include <QFile>
#include <QHash>
#include <QMutex>

namespace callops {

QString SqlResource::text(const QString &name)
{
    static QMutex mutex;
    static QHash<QString, QString> cache;
    const QMutexLocker lock(&mutex);
    auto it = cache.constFind(name);
    if (it != cache.constEnd())
        return *it;
    QFile file(QStringLiteral(":/sql/") + name);
    const bool opened = file.open(QIODevice::ReadOnly);
    Q_ASSERT_X(opened, "SqlResource", qPrintable(name));
    if (!opened)
        return {};
    const QString sql = QString::fromUtf8(file.readAll());
    cache.insert(name, sql);
    return sql;
}

} // namespace callops
