#include "MessageText.h"

namespace callops {

QString MessageText::quoted(const QString &text, qsizetype maxLength)
{
    const bool mayCarryPassword
            = text.contains(u"//") || text.contains(u'@') || text.contains(u"password", Qt::CaseInsensitive);
    if (mayCarryPassword)
        return QStringLiteral("... (%1 characters)").arg(text.size());
    return oneLine(text, maxLength);
}

QString MessageText::oneLine(const QString &text, qsizetype maxLength)
{
    QString shown;
    const qsizetype n = qMin(text.size(), maxLength);
    shown.reserve(n + 24);
    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = text.at(i);
        if (c.isHighSurrogate() && i + 1 < n && text.at(i + 1).isLowSurrogate()) {
            shown += c;
            shown += text.at(++i);
        } else if (c.isSurrogate() || c.unicode() < 0x20 || c.unicode() == 0x7f || c == QChar::LineSeparator
                   || c == QChar::ParagraphSeparator) {
            shown += QChar(u'?');
        } else {
            shown += c;
        }
    }
    if (text.size() > n)
        shown += QStringLiteral("... (%1 characters)").arg(text.size());
    return shown;
}

} // namespace callops
