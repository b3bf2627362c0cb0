#include "BadInput.h"

#include <array>

namespace callops::test {
namespace {

// Characters that break naive parsers: NUL and controls, BOM, zero-width joiner, RTL override,
// line and paragraph separators, a combining accent, U+FFFF, full-width and Arabic-Indic digits,
// a non-breaking space, and quote-like characters.
constexpr std::array<char16_t, 22> kNastyChars{0x0000, 0x0001, 0x0007, 0x0009, 0x000A, 0x000D, 0x001B, 0x007F,
                                               0x00A0, 0x0301, 0x200D, 0x202E, 0x2028, 0x2029, 0xFEFF, 0xFFFF,
                                               0xFF11, 0x0661, 0x0966, 0x2018, 0x201D, 0xFF0B};

} // namespace

BadInput::BadInput(QStringList validSamples, QStringList dictionary)
    : m_random(static_cast<quint32>(seed()))
    , m_samples(std::move(validSamples))
    , m_dictionary(std::move(dictionary))
{ }

quint64 BadInput::seed()
{
    bool ok = false;
    const quint64 fromEnvironment = qEnvironmentVariable("CALLOPS_FUZZ_SEED").toULongLong(&ok);
    return ok ? fromEnvironment : 20261125;
}

BadInput::Case BadInput::next()
{
    switch (m_random.bounded(12)) {
    case 0: {
        static const QStringList blanks{QString(),
                                        QStringLiteral(" "),
                                        QStringLiteral("\t\n\r "),
                                        QString(1, QChar(0)),
                                        QString(QChar(0x3000)),
                                        QString(QChar(0xFEFF))};
        return {blanks.at(m_random.bounded(int(blanks.size()))), QStringLiteral("blank")};
    }
    case 1:
        return {randomBytesUtf8(m_random.bounded(1, 200)), QStringLiteral("random bytes as UTF-8")};
    case 2:
        return {randomBytesLatin1(m_random.bounded(1, 200)), QStringLiteral("random bytes as Latin-1")};
    case 3:
        return {huge(), QStringLiteral("huge")};
    case 4:
        return {nastyUnicode(m_random.bounded(1, 40)), QStringLiteral("unicode")};
    case 5: {
        if (m_samples.isEmpty())
            return {QString(3, QChar(0)), QStringLiteral("nul")};
        QString text = m_samples.at(m_random.bounded(int(m_samples.size())));
        text.insert(m_random.bounded(int(text.size()) + 1), QChar(0));
        return {text, QStringLiteral("embedded NUL")};
    }
    case 6:
        return {digitRun(), QStringLiteral("digit run")};
    case 7: {
        QString text;
        const int words = m_random.bounded(1, 12);
        for (int i = 0; i < words && !m_dictionary.isEmpty(); ++i)
            text += m_dictionary.at(m_random.bounded(int(m_dictionary.size())));
        return {text, QStringLiteral("dictionary words")};
    }
    default:
        if (m_samples.isEmpty())
            return {randomBytesUtf8(20), QStringLiteral("random bytes as UTF-8")};
        return {mutate(m_samples.at(m_random.bounded(int(m_samples.size())))), QStringLiteral("mutation")};
    }
}

QString BadInput::mutate(const QString &original)
{
    QString text = original;
    const int edits = 1 + m_random.bounded(4);
    for (int e = 0; e < edits; ++e) {
        const int at = m_random.bounded(int(text.size()) + 1);
        switch (m_random.bounded(7)) {
        case 0:
            if (!text.isEmpty())
                text.remove(qMin(at, int(text.size()) - 1), 1 + m_random.bounded(3));
            break;
        case 1:
            text.insert(at, QChar(kNastyChars[m_random.bounded(int(kNastyChars.size()))]));
            break;
        case 2:
            if (!m_dictionary.isEmpty())
                text.insert(at, m_dictionary.at(m_random.bounded(int(m_dictionary.size()))));
            break;
        case 3:
            if (at < text.size())
                text[at] = QChar(char16_t(m_random.bounded(0x20, 0x7f)));
            break;
        case 4:
            text.insert(at, text.mid(at, m_random.bounded(1, 16)));
            break;
        case 5:
            text.insert(at, digitRun().left(m_random.bounded(1, 40)));
            break;
        default:
            text.insert(at, QString(m_random.bounded(1, 300), QChar(u"x%'\\=@:/;"[m_random.bounded(9)])));
            break;
        }
    }
    return text;
}

QString BadInput::randomFrom(const QString &alphabet, qsizetype length)
{
    QString text;
    text.reserve(length);
    for (qsizetype i = 0; i < length; ++i)
        text += alphabet.at(m_random.bounded(int(alphabet.size())));
    return text;
}

QString BadInput::randomBytesUtf8(qsizetype length)
{
    QByteArray bytes(length, Qt::Uninitialized);
    for (char &b : bytes)
        b = char(m_random.bounded(256));
    return QString::fromUtf8(bytes);
}

QString BadInput::randomBytesLatin1(qsizetype length)
{
    QByteArray bytes(length, Qt::Uninitialized);
    for (char &b : bytes)
        b = char(m_random.bounded(256));
    return QString::fromLatin1(bytes);
}

QString BadInput::nastyUnicode(qsizetype count)
{
    QString text;
    for (qsizetype i = 0; i < count; ++i) {
        switch (m_random.bounded(4)) {
        case 0:
            text += QChar(kNastyChars[m_random.bounded(int(kNastyChars.size()))]);
            break;
        case 1: // a lone surrogate: not valid UTF-16 at all
            text += QChar(char16_t(m_random.bounded(0xD800, 0xE000)));
            break;
        case 2: // an emoji or other astral character: a surrogate pair
            text += QString::fromUcs4(U"\U0001F4DE\U0001F600\U00010348\U0001D7D8" + m_random.bounded(4), 1);
            break;
        default:
            text += QChar(char16_t(m_random.bounded(0x20, 0xD7FF)));
            break;
        }
    }
    return text;
}

QString BadInput::digitRun()
{
    static const QStringList prefixes{QString(),
                                      QStringLiteral("+"),
                                      QStringLiteral("-"),
                                      QStringLiteral("00"),
                                      QStringLiteral("+1"),
                                      QStringLiteral("0x")};
    const qsizetype length
            = m_random.bounded(4) == 0 ? m_random.bounded(1000, 20000) : m_random.bounded(1, 40);
    return prefixes.at(m_random.bounded(int(prefixes.size())))
            + randomFrom(QStringLiteral("0123456789"), length);
}

QString BadInput::huge()
{
    const qsizetype length = m_random.bounded(64 * 1024, 1024 * 1024);
    if (!m_samples.isEmpty() && m_random.bounded(2) == 0) {
        // A valid sample with one part blown up.
        QString text = m_samples.at(m_random.bounded(int(m_samples.size())));
        text.insert(m_random.bounded(int(text.size()) + 1), QString(length, QChar(u'a')));
        return text;
    }
    return QString(length, QChar(char16_t(m_random.bounded(0x20, 0x7f))));
}

QString BadInput::describe(const QString &text)
{
    QString shown;
    const qsizetype n = text.size();
    auto add = [&shown](QChar c) {
        if (c.unicode() >= 0x20 && c.unicode() < 0x7f && c != u'\\')
            shown += c;
        else
            shown += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
    };
    if (n <= 160) {
        for (QChar c : text)
            add(c);
    } else {
        for (qsizetype i = 0; i < 80; ++i)
            add(text.at(i));
        shown += QStringLiteral("...(%1 characters)...").arg(n);
        for (qsizetype i = n - 60; i < n; ++i)
            add(text.at(i));
    }
    return QStringLiteral("\"%1\" (seed %2)").arg(shown).arg(seed());
}

QString BadInput::problemWithError(const QString &error, const QStringList &secrets)
{
    if (error.trimmed().isEmpty())
        return QStringLiteral("empty error message");
    if (error.size() > 600)
        return QStringLiteral("error of %1 characters: %2").arg(error.size()).arg(describe(error));
    for (QChar c : error) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f || c == QChar::LineSeparator
            || c == QChar::ParagraphSeparator)
            return QStringLiteral("control character or line break in the error: %1").arg(describe(error));
    }
    if (!error.isValidUtf16())
        return QStringLiteral("broken UTF-16 in the error: %1").arg(describe(error));
    for (const QString &secret : secrets) {
        if (!secret.isEmpty() && error.contains(secret))
            return QStringLiteral("the error shows a secret: %1").arg(describe(error));
    }
    return {};
}

FuzzBudget::FuzzBudget(int maxCases)
    : m_maxCases(maxCases)
{
    bool ok = false;
    const double seconds = qEnvironmentVariable("CALLOPS_FUZZ_SECONDS").toDouble(&ok);
    m_limitMs = ok && seconds > 0 ? qint64(seconds * 1000) : 2000;
    m_timer.start();
}

bool FuzzBudget::more()
{
    if (m_cases >= m_maxCases || m_timer.elapsed() >= m_limitMs)
        return false;
    ++m_cases;
    return true;
}

} // namespace callops::test
