// Bad input for the statement splitter the migrator relies on: arbitrary text never crashes it
// or hangs it, it never invents text, and scripts built from statements whose strings, quoted
// identifiers, dollar bodies and comments hold semicolons split back into exactly those
// statements.
#include "BadInput.h"
#include "db/SqlScript.h"

#include <QTest>

using namespace callops;
using namespace callops::test;

namespace {

const QStringList kSamples{
        "CREATE TABLE t (a text DEFAULT 'x;y'); INSERT INTO t VALUES ($$a;b$$);",
        "DO $body$ BEGIN PERFORM 1; END $body$; SELECT \"we;ird\" FROM x -- c;\n;",
        "/* a /* nested; */ comment */ SELECT 1; SELECT $1, $2;",
        "SELECT 'it''s; fine'; SELECT E'\\\\';",
};
const QStringList kDictionary{"'",  "''", "\"", "$$", "$a$", "$1", "--",
                              "\n", "/*", "*/", ";",  "$",   "E'", "\\"};

QString withoutBlanksAndSeparators(const QString &text)
{
    QString kept;
    for (QChar c : text) {
        if (!c.isSpace() && c != u';')
            kept += c;
    }
    return kept;
}

// True when `part` appears in `whole` in order (not necessarily contiguously).
bool isSubsequence(const QString &part, const QString &whole)
{
    qsizetype j = 0;
    for (qsizetype i = 0; i < whole.size() && j < part.size(); ++i) {
        if (whole.at(i) == part.at(j))
            ++j;
    }
    return j == part.size();
}

// The splitter keeps a comment before a statement with that statement (the server ignores it).
QString withoutLeadingComments(QString statement)
{
    while (true) {
        statement = statement.trimmed();
        if (statement.startsWith(QStringLiteral("--"))) {
            const qsizetype end = statement.indexOf(u'\n');
            statement = end < 0 ? QString() : statement.mid(end + 1);
        } else if (statement.startsWith(QStringLiteral("/*"))) {
            int depth = 0;
            qsizetype i = 0;
            do {
                if (statement.mid(i, 2) == QStringLiteral("/*")) {
                    ++depth;
                    i += 2;
                } else if (statement.mid(i, 2) == QStringLiteral("*/")) {
                    --depth;
                    i += 2;
                } else {
                    ++i;
                }
            } while (depth > 0 && i < statement.size());
            statement = statement.mid(i);
        } else {
            return statement;
        }
    }
}

} // namespace

class TestBadInputSqlScript : public QObject
{
    Q_OBJECT

private slots:
    void arbitraryTextNeverInventsText();
    void generatedScriptsSplitBack();
};

void TestBadInputSqlScript::arbitraryTextNeverInventsText()
{
    BadInput input(kSamples, kDictionary);
    FuzzBudget budget;
    while (budget.more()) {
        const BadInput::Case c = input.next();
        const QStringList statements = SqlScript::statements(c.text);
        for (const QString &statement : statements) {
            QVERIFY2(!statement.trimmed().isEmpty(), qPrintable(c.kind + u' ' + BadInput::describe(c.text)));
            QCOMPARE(statement, statement.trimmed());
        }
        // Only separators, blanks and comments are dropped; nothing is added or reordered.
        const QString joined = withoutBlanksAndSeparators(statements.join(QString()));
        QVERIFY2(isSubsequence(joined, withoutBlanksAndSeparators(c.text)),
                 qPrintable(c.kind + u' ' + BadInput::describe(c.text)));
    }
    qInfo("%d cases, seed %llu", budget.cases(), BadInput::seed());
}

void TestBadInputSqlScript::generatedScriptsSplitBack()
{
    BadInput input({}, {});
    FuzzBudget budget;
    const QString plain = QStringLiteral("abcxyz_0123456789 ,.()=+*<>");
    while (budget.more()) {
        QStringList expected;
        QString script;
        const int count = 1 + input.bounded(6);
        for (int s = 0; s < count; ++s) {
            QString statement = QStringLiteral("SELECT");
            const int parts = 1 + input.bounded(6);
            for (int p = 0; p < parts; ++p) {
                // Semicolons and the other quote kinds inside each quoted part.
                const QString inner = input.randomFrom(QStringLiteral("ab;'\"$ -\n/*"), input.bounded(12));
                switch (input.bounded(5)) {
                case 0: {
                    QString doubled = inner;
                    doubled.replace(u'\'', QStringLiteral("''"));
                    statement += QStringLiteral(" '") + doubled + u'\'';
                    break;
                }
                case 1: {
                    QString doubled = inner;
                    doubled.replace(u'"', QStringLiteral("\"\""));
                    statement += QStringLiteral(" \"") + doubled + u'"';
                    break;
                }
                case 2: {
                    QString body = inner;
                    body.remove(u'$');
                    const QString tag = input.bounded(2) ? QStringLiteral("$$") : QStringLiteral("$fn_1$");
                    statement += u' ' + tag + body + tag;
                    break;
                }
                case 3:
                    statement += u' ' + input.randomFrom(plain, 1 + input.bounded(10));
                    break;
                default:
                    statement += QStringLiteral(" $") + QString::number(1 + input.bounded(9));
                    break;
                }
            }
            expected << statement.trimmed();
            script += statement;
            // Comments (holding semicolons and quotes) between statements are dropped.
            switch (input.bounded(3)) {
            case 0:
                script += QStringLiteral(";\n-- it's; a \"comment\"\n");
                break;
            case 1:
                script += QStringLiteral("; /* block; 'x' /* nested; */ */ ");
                break;
            default:
                script += QStringLiteral(";\n");
                break;
            }
        }
        QStringList statements = SqlScript::statements(script);
        for (QString &statement : statements)
            statement = withoutLeadingComments(statement);
        if (statements != expected) {
            for (const QString &statement : statements)
                qWarning("got      %s", qPrintable(BadInput::describe(statement)));
            for (const QString &statement : expected)
                qWarning("expected %s", qPrintable(BadInput::describe(statement)));
        }
        QVERIFY2(statements == expected, qPrintable(BadInput::describe(script)));
    }
    qInfo("%d scripts, seed %llu", budget.cases(), BadInput::seed());
}

QTEST_GUILESS_MAIN(TestBadInputSqlScript)
#include "TestBadInputSqlScript.moc"
