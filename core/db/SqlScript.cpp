#include "SqlScript.h"

namespace callops {
namespace {

// The dollar-quote tag starting at `i` ("$$" or "$body$"), or an empty string when `i` does not
// start one (a positional parameter such as $1 is not a tag).
QString dollarTagAt(const QString &text, qsizetype i)
{
    if (text.at(i) != u'$')
        return {};
    qsizetype j = i + 1;
    if (j < text.size() && text.at(j).isDigit())
        return {};
    while (j < text.size() && (text.at(j).isLetterOrNumber() || text.at(j) == u'_'))
        ++j;
    if (j < text.size() && text.at(j) == u'$')
        return text.mid(i, j - i + 1);
    return {};
}

} // namespace

QStringList SqlScript::statements(const QString &script)
{
    QStringList result;
    QString current;
    const qsizetype n = script.size();
    qsizetype i = 0;
    bool meaningful = false; // current holds more than whitespace and comments

    auto flush = [&] {
        if (meaningful)
            result.append(current.trimmed());
        current.clear();
        meaningful = false;
    };

    while (i < n) {
        const QChar c = script.at(i);
        if (c == u'-' && i + 1 < n && script.at(i + 1) == u'-') {
            const qsizetype end = script.indexOf(u'\n', i);
            const qsizetype stop = end < 0 ? n : end + 1;
            current += script.mid(i, stop - i);
            i = stop;
        } else if (c == u'/' && i + 1 < n && script.at(i + 1) == u'*') {
            qsizetype depth = 1;
            qsizetype j = i + 2;
            while (j < n && depth > 0) {
                if (script.at(j) == u'/' && j + 1 < n && script.at(j + 1) == u'*') {
                    ++depth;
                    j += 2;
                } else if (script.at(j) == u'*' && j + 1 < n && script.at(j + 1) == u'/') {
                    --depth;
                    j += 2;
                } else {
                    ++j;
                }
            }
            current += script.mid(i, j - i);
            i = j;
        } else if (c == u'\'' || c == u'"') {
            qsizetype j = i + 1;
            while (j < n) {
                if (script.at(j) == c) {
                    if (j + 1 < n && script.at(j + 1) == c) { // doubled quote inside
                        j += 2;
                        continue;
                    }
                    break;
                }
                ++j;
            }
            const qsizetype stop = qMin(j + 1, n);
            current += script.mid(i, stop - i);
            meaningful = true;
            i = stop;
        } else if (c == u'$' && !dollarTagAt(script, i).isEmpty()) {
            const QString tag = dollarTagAt(script, i);
            const qsizetype close = script.indexOf(tag, i + tag.size());
            const qsizetype stop = close < 0 ? n : close + tag.size();
            current += script.mid(i, stop - i);
            meaningful = true;
            i = stop;
        } else if (c == u';') {
            flush();
            ++i;
        } else {
            current += c;
            if (!c.isSpace())
                meaningful = true;
            ++i;
        }
    }
    flush();
    return result;
}

} // namespace callops
