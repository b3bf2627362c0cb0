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
    // Comment lines go: Qt's placeholder parser reads an apostrophe in a comment as a quote.
    QStringList lines;
    for (const QString &line : QString::fromUtf8(file.readAll()).split(u'\n')) {
        if (!line.trimmed().startsWith(u"--"))
            lines.append(line);
    }
    const QString sql = lines.join(u'\n').trimmed();
    cache.insert(name, sql);
    return sql;
}

} // namespace callops
