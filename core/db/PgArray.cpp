#include "PgArray.h"

namespace callops {

QString PgArray::literal(const QStringList &values)
{
    QString out;
    out.reserve(values.size() * 40 + 2);
    out += u'{';
    bool first = true;
    for (const QString &value : values) {
        if (!first)
            out += u',';
        first = false;
        if (value.isNull()) {
            out += QStringLiteral("NULL");
            continue;
        }
        out += u'"';
        for (const QChar c : value) {
            if (c == u'"' || c == u'\\')
                out += u'\\';
            out += c;
        }
        out += u'"';
    }
    out += u'}';
    return out;
}

} // namespace callops
