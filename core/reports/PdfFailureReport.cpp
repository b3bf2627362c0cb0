#include "PdfFailureReport.h"

#include <QCoreApplication>
#include <QFontMetrics>
#include <QLocale>
#include <QMap>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>

#include <algorithm>

namespace callops {
namespace {

QString dayText(const QDateTime &time)
{
    return time.isValid() ? time.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm")) + QStringLiteral(" UTC")
                          : QString();
}

// Draws the report on pages of the writer, line by line.
class Layout
{
public:
    Layout(QPdfWriter &writer, QPainter &painter)
        : m_writer(writer)
        , m_painter(painter)
    {
        m_page = painter.viewport();
        m_y = 0;
    }

    int width() const { return m_page.width(); }

    void ensureSpace(int height)
    {
        if (m_y + height > m_page.height()) {
            m_writer.newPage();
            m_y = 0;
        }
    }

    void text(const QString &text, const QFont &font, int spacingAfter = 0)
    {
        m_painter.setFont(font);
        const QFontMetrics metrics(font, &m_writer);
        const QRect bounds = metrics.boundingRect(QRect(0, 0, width(), 100000), Qt::TextWordWrap, text);
        ensureSpace(bounds.height());
        m_painter.drawText(QRect(0, m_y, width(), bounds.height()), Qt::TextWordWrap, text);
        m_y += bounds.height() + spacingAfter;
    }

    // One row of cells at the given relative widths; long cells are elided.
    void row(const QStringList &cells, const QList<double> &widths, const QFont &font, bool header)
    {
        m_painter.setFont(font);
        const QFontMetrics metrics(font, &m_writer);
        const int height = metrics.height() * 14 / 10;
        ensureSpace(height);
        if (header) {
            m_painter.fillRect(QRect(0, m_y, width(), height), QColor(0xe8, 0xec, 0xf1));
        }
        int x = 0;
        const int pad = metrics.averageCharWidth() / 2;
        for (int i = 0; i < cells.size(); ++i) {
            const int w = int(width() * widths.value(i));
            const QString elided = metrics.elidedText(cells.at(i), Qt::ElideRight, w - 2 * pad);
            m_painter.drawText(QRect(x + pad, m_y, w - 2 * pad, height), Qt::AlignVCenter | Qt::AlignLeft,
                               elided);
            x += w;
        }
        m_y += height;
        m_painter.setPen(QColor(0xcf, 0xd6, 0xde));
        m_painter.drawLine(0, m_y, width(), m_y);
        m_painter.setPen(Qt::black);
    }

    void space(int height) { m_y += height; }

private:
    QPdfWriter &m_writer;
    QPainter &m_painter;
    QRect m_page;
    int m_y = 0;
};

} // namespace

Status PdfFailureReport::write(const QString &path, const QList<CallRecord> &calls,
                               const FailureReportOptions &options)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error{QCoreApplication::translate("PdfFailureReport", "Cannot write %1: %2")
                             .arg(path, file.errorString())};
    {
        QPdfWriter writer(&file);
        writer.setTitle(QCoreApplication::translate("PdfFailureReport", "CallOps failure report"));
        writer.setCreator(QStringLiteral("CallOps"));
        writer.setResolution(300);
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Landscape,
                                         QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter));
        QPainter painter;
        if (!painter.begin(&writer))
            return Error{QCoreApplication::translate("PdfFailureReport",
                                                     "Cannot write %1: the PDF could not be started")
                                 .arg(path)};
        Layout layout(writer, painter);

        QFont title(QStringLiteral("DejaVu Sans"));
        title.setPointSizeF(18);
        title.setBold(true);
        QFont body(QStringLiteral("DejaVu Sans"));
        body.setPointSizeF(9.5);
        QFont bold = body;
        bold.setBold(true);
        QFont small(QStringLiteral("DejaVu Sans"));
        small.setPointSizeF(8);
        QFont smallBold = small;
        smallBold.setBold(true);
        const int gap = QFontMetrics(body, &writer).height();

        layout.text(QCoreApplication::translate("PdfFailureReport", "CallOps failure report"), title,
                    gap / 2);
        const QString from = options.since.isValid()
                ? dayText(options.since)
                : QCoreApplication::translate("PdfFailureReport", "the beginning");
        const QString to = options.until.isValid() ? dayText(options.until)
                                                   : QCoreApplication::translate("PdfFailureReport", "now");
        layout.text(QCoreApplication::translate("PdfFailureReport", "Period: %1 to %2").arg(from, to), body);
        if (!options.clinic.isEmpty())
            layout.text(QCoreApplication::translate("PdfFailureReport", "Clinic: %1").arg(options.clinic),
                        body);
        layout.text(QCoreApplication::translate("PdfFailureReport", "Generated: %1")
                            .arg(dayText(QDateTime::currentDateTimeUtc())),
                    body);
        layout.text(QCoreApplication::translate("PdfFailureReport", "Failed calls: %1").arg(calls.size()),
                    bold, gap);

        QMap<QString, int> totals;
        for (const CallRecord &call : calls)
            totals[call.failureReason.isEmpty()
                           ? QCoreApplication::translate("PdfFailureReport", "(no reason recorded)")
                           : call.failureReason]
                    += 1;
        QList<std::pair<QString, int>> sorted;
        for (auto it = totals.cbegin(); it != totals.cend(); ++it)
            sorted.append({it.key(), it.value()});
        std::stable_sort(sorted.begin(), sorted.end(),
                         [](const auto &a, const auto &b) { return a.second > b.second; });
        layout.text(QCoreApplication::translate("PdfFailureReport", "Totals per failure reason"), bold,
                    gap / 3);
        const QList<double> totalWidths{0.75, 0.25};
        layout.row({QCoreApplication::translate("PdfFailureReport", "Failure reason"),
                    QCoreApplication::translate("PdfFailureReport", "Calls")},
                   totalWidths, smallBold, true);
        for (const auto &[reason, count] : sorted)
            layout.row({reason, QString::number(count)}, totalWidths, small, false);
        layout.space(gap);

        layout.text(QCoreApplication::translate("PdfFailureReport", "Calls"), bold, gap / 3);
        const QList<double> widths{0.09, 0.14, 0.14, 0.12, 0.12, 0.25, 0.14};
        const QStringList header{QCoreApplication::translate("PdfFailureReport", "Exam"),
                                 QCoreApplication::translate("PdfFailureReport", "Employee"),
                                 QCoreApplication::translate("PdfFailureReport", "Clinic"),
                                 QCoreApplication::translate("PdfFailureReport", "Phone"),
                                 QCoreApplication::translate("PdfFailureReport", "State"),
                                 QCoreApplication::translate("PdfFailureReport", "Failure reason"),
                                 QCoreApplication::translate("PdfFailureReport", "Failed at")};
        layout.row(header, widths, smallBold, true);
        for (const CallRecord &call : calls) {
            const WorkflowState state = workflow::stateFromName(call.state);
            layout.row({call.examId, call.employeeName, call.clinicName, call.phone,
                        state == WorkflowState::Unknown ? call.state : workflow::stateLabel(state),
                        call.failureReason,
                        dayText(call.failedAt.isValid() ? call.failedAt : call.stateChangedAt)},
                       widths, small, false);
        }
        if (!painter.end())
            return Error{QCoreApplication::translate("PdfFailureReport",
                                                     "Cannot write %1: the PDF could not be finished")
                                 .arg(path)};
    }
    if (!file.commit())
        return Error{QCoreApplication::translate("PdfFailureReport", "Cannot write %1: %2")
                             .arg(path, file.errorString())};
    return Status::success();
}

} // namespace callops
