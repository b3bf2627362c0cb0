#pragma once

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QString>
#include <QStringList>

namespace callops::test {

// Seeded generator of hostile text for the bad-input suites: empty and blank strings, random
// bytes (as UTF-8 and as Latin-1, so NUL and control characters too), huge strings, awkward
// Unicode (lone surrogates, BOM, right-to-left override, combining marks, emoji, non-ASCII
// digits), embedded NULs, very long digit runs, and mutations of the valid samples and
// dictionary words the caller gives. The same seed gives the same sequence; the seed is
// CALLOPS_FUZZ_SEED if set, else a fixed one, and every failure message names it.
class BadInput
{
public:
    struct Case
    {
        QString text;
        QString kind; // which generator made it, for failure messages
    };

    BadInput(QStringList validSamples, QStringList dictionary);

    Case next();
    // A mutation of `text` (insert, delete, replace, duplicate, splice a dictionary word or a
    // nasty character), one to several edits.
    QString mutate(const QString &text);
    // A string of `length` characters drawn from `alphabet`.
    QString randomFrom(const QString &alphabet, qsizetype length);
    quint32 bounded(quint32 highest) { return m_random.bounded(highest); }

    static quint64 seed();
    // A short printable rendering of an input for failure messages: escapes control characters
    // and non-ASCII, keeps the first and last characters of long inputs.
    static QString describe(const QString &text);
    // The error a bad input earned is "clear": non-empty, one line, of a readable length, no
    // control characters, and none of `secrets` in it. Returns what is wrong, or an empty string.
    static QString problemWithError(const QString &error, const QStringList &secrets = {});

private:
    QString randomBytesUtf8(qsizetype length);
    QString randomBytesLatin1(qsizetype length);
    QString nastyUnicode(qsizetype count);
    QString digitRun();
    QString huge();

    QRandomGenerator m_random;
    QStringList m_samples;
    QStringList m_dictionary;
};

// Bounds a fuzz loop by a number of cases and by wall time (CALLOPS_FUZZ_SECONDS, default 2 s
// per loop), so the suite stays fast under the sanitizers and on a loaded machine.
class FuzzBudget
{
public:
    explicit FuzzBudget(int maxCases = 20000);
    bool more();
    int cases() const { return m_cases; }

private:
    QElapsedTimer m_timer;
    qint64 m_limitMs;
    int m_maxCases;
    int m_cases = 0;
};

} // namespace callops::test
