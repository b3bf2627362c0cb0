#include "ConsoleTranslation.h"
#include "MainWindow.h"
#include "dashboard/StateListView.h"

#include <QAction>
#include <QFile>
#include <QTest>
#include <QXmlStreamReader>

using namespace callops;

// The Spanish translation is complete and is what the console shows with --lang es.
class TestTranslations : public QObject
{
    Q_OBJECT

private slots:
    void spanishIsComplete();
    void consoleSpeaksSpanish();
};

void TestTranslations::spanishIsComplete()
{
    QFile file(QStringLiteral(CALLOPS_SOURCE_DIR "/translations/callops_es.ts"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&file);
    int messages = 0;
    int unfinished = 0;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        if (xml.name() == u"message")
            ++messages;
        if (xml.name() == u"translation") {
            const auto type = xml.attributes().value(QStringLiteral("type"));
            if (type == u"unfinished" || type == u"vanished" || type == u"obsolete")
                ++unfinished;
        }
    }
    QVERIFY(!xml.hasError());
    QVERIFY(messages > 100);
    QCOMPARE(unfinished, 0);
}

void TestTranslations::consoleSpeaksSpanish()
{
    QVERIFY(consoleTranslation::install(QStringLiteral("es")));
    MainWindow window;
    QCOMPARE(window.actionFor(ManualAction::RetryNow)->text(), QStringLiteral("Reintentar ahora…"));
    QCOMPARE(window.actionFor(ManualAction::MarkFailed)->text(), QStringLiteral("Marcar como fallida…"));
    QVERIFY(!window.stateList()->findItems(QStringLiteral("Requieren acción"), Qt::MatchExactly).isEmpty());
    QVERIFY(!window.stateList()->findItems(QStringLiteral("Atascadas"), Qt::MatchExactly).isEmpty());
}

QTEST_MAIN(TestTranslations)
#include "TestTranslations.moc"
