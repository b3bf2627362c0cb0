#include "TestData.h"

#include <QFile>

namespace callops::test {

QString testData(const QString &relativePath)
{
    QFile file(QStringLiteral(CALLOPS_TEST_DATA_DIR "/") + relativePath);
    if (!file.open(QIODevice::ReadOnly)) {
        qWarning("test data %s is missing", qPrintable(file.fileName()));
        return {};
    }
    return QString::fromUtf8(file.readAll());
}

} // namespace callops::test
