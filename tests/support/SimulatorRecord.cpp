#include "SimulatorRecord.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

namespace callops::test {

QList<SimulatorPost> readSimulatorRecord(const QString &path)
{
    QList<SimulatorPost> posts;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return posts;
    while (!file.atEnd()) {
        const QJsonObject line = QJsonDocument::fromJson(file.readLine()).object();
        if (line.isEmpty())
            continue; // a line another process is still writing
        posts.append({line.value(u"pending_call_id").toString(), line.value(u"kind").toString(),
                      line.value(u"attempt").toInt(), line.value(u"idempotency_key").toString(),
                      line.value(u"status").toInt(),
                      QDateTime::fromString(line.value(u"received_at").toString(), Qt::ISODateWithMs),
                      line.value(u"fault").toString()});
    }
    return posts;
}

} // namespace callops::test
