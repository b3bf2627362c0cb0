#include "PassSummary.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace callops {

QByteArray PassSummary::toJson() const
{
    QJsonArray rows;
    for (const RowResult &result : results) {
        QJsonObject row{{QStringLiteral("id"), result.id}, {QStringLiteral("status"), result.status}};
        if (!result.detail.isEmpty())
            row.insert(result.status == u"error" ? QStringLiteral("error") : QStringLiteral("detail"),
                       result.detail);
        rows.append(row);
    }
    QJsonObject body{{QStringLiteral("processed"), processed}, {QStringLiteral("results"), rows}};
    if (!error.isEmpty())
        body.insert(QStringLiteral("error"), error);
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

} // namespace callops
