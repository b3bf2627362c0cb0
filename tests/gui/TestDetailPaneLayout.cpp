#include "calls/CallDetailPane.h"
#include "console/CallRecord.h"

#include <QLabel>
#include <QScrollArea>
#include <QTest>

using namespace callops;

// The details pane's fields wrap: a long value takes as many lines as it needs, however the pane
// came to its size.
class TestDetailPaneLayout : public QObject
{
    Q_OBJECT

private slots:
    void wrappedFieldsShowEveryLine_data();
    void wrappedFieldsShowEveryLine();

private:
    static CallRecord call(const QString &text);
    static void settle();
    static QStringList clippedFields(const CallDetailPane &pane);
};

CallRecord TestDetailPaneLayout::call(const QString &text)
{
    CallRecord record;
    record.id = QStringLiteral("9f4ca6e5-491c-4dad-a767-98caf6638700");
    record.examId = QStringLiteral("EX-24011");
    record.employeeName = text;
    record.state = QStringLiteral("retry_pending");
    record.clinicName = text;
    record.phone = QStringLiteral("+14153910237");
    record.phoneDisplay = QStringLiteral("(415) 391-0237");
    record.lastError = text;
    record.failureReason = text;
    record.appointmentTime = QDateTime(QDate(2026, 11, 26), QTime(17, 0), Qt::UTC);
    record.nextActionAt = QDateTime(QDate(2026, 11, 26), QTime(8, 11, 57), Qt::UTC);
    return record;
}

void TestDetailPaneLayout::settle()
{
    // Layout requests are posted events, and each answer may post the next.
    for (int i = 0; i < 5; ++i)
        QCoreApplication::processEvents();
}

QStringList TestDetailPaneLayout::clippedFields(const CallDetailPane &pane)
{
    QStringList clipped;
    const QList<QLabel *> labels = pane.findChild<QScrollArea *>()->widget()->findChildren<QLabel *>();
    for (const QLabel *label : labels) {
        if (!label->wordWrap() || label->text().isEmpty() || !label->isVisible())
            continue;
        const int needed = label->heightForWidth(label->width());
        if (label->height() < needed) {
            clipped << QStringLiteral("%1 %2 of %3 px")
                               .arg(label->objectName())
                               .arg(label->height())
                               .arg(needed);
        }
    }
    return clipped;
}

void TestDetailPaneLayout::wrappedFieldsShowEveryLine_data()
{
    QTest::addColumn<int>("width");
    // As wide as the console gives it at 1024x768, a little wider, and wide enough for rows
    // to stand beside their labels.
    QTest::newRow("narrow") << 300;
    QTest::newRow("medium") << 380;
    QTest::newRow("wide") << 520;
}

void TestDetailPaneLayout::wrappedFieldsShowEveryLine()
{
    QFETCH(int, width);
    const QString longText = QStringLiteral(
            "Bayview Employer Services and Occupational Health Partners of the Greater Bay Area");

    CallDetailPane pane;
    // Shorter than its fields, so that the scroll area has to make room for them.
    pane.resize(width, 420);
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    pane.showCall(call(QStringLiteral("Short")), {});
    settle();
    QVERIFY2(clippedFields(pane).isEmpty(), qPrintable(clippedFields(pane).join(u", ")));

    // The next call's values are longer: the same pane at the same size now needs more lines.
    pane.showCall(call(longText), {});
    settle();
    QVERIFY2(clippedFields(pane).isEmpty(), qPrintable(clippedFields(pane).join(u", ")));

    // And back: nothing of the long values' height is kept for short ones.
    pane.showCall(call(QStringLiteral("Short")), {});
    settle();
    QVERIFY2(clippedFields(pane).isEmpty(), qPrintable(clippedFields(pane).join(u", ")));
}

QTEST_MAIN(TestDetailPaneLayout)
#include "TestDetailPaneLayout.moc"
