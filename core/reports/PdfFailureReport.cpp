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
#include <QTextLayout>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

namespace callops {
namespace {

// A cell never takes more lines than this: a row must fit on a page. The CSV has the whole text.
constexpr int kMaxCellLines = 8;

// Lays `layout` out in lines of `width`, breaking between words or, for a word wider than the
// cell (a URL, an error code), inside it; returns the height.
qreal wrap(QTextLayout &layout, qreal width)
{
    QTextOption option(Qt::AlignLeft);
    option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    layout.setTextOption(option);
    qreal height = 0;
    layout.beginLayout();
    for (QTextLine line = layout.createLine(); line.isValid(); line = layout.createLine()) {
        line.setLineWidth(width);
        line.setPosition(QPointF(0, height));
        height += line.height();
    }
    layout.endLayout();
    return height;
}

// The text of a cell wrapped to `width`, cut with an ellipsis after kMaxCellLines lines.
class Cell
{
public:
    Cell(const QString &text, const QFont &font, QPaintDevice *device, qreal width)
        : m_layout(QString(text)
                           .replace(QStringLiteral("\r\n"), QString(QChar::LineSeparator))
                           .replace(u'\n', QChar::LineSeparator),
                   font, device)
    {
        m_height = wrap(m_layout, width);
        if (m_layout.lineCount() > kMaxCellLines) {
            const QTextLine last = m_layout.lineAt(kMaxCellLines - 1);
            const int end = std::max(0, last.textStart() + last.textLength() - 2);
            m_layout.setText(m_layout.text().left(end) + QChar(0x2026));
            m_height = wrap(m_layout, width);
        }
    }

    qreal height() const { return m_height; }
    void draw(QPainter &painter, const QPointF &at) const { m_layout.draw(&painter, at); }

private:
    QTextLayout m_layout;
    qreal m_height = 0;
};

// A table's columns: titles and their share of the page's width.
struct Columns
{
    QStringList titles;
    QList<double> widths;
};

// Draws the report top to bottom, a page after another, with the table's header again at the top of
// each page and "Page N of M" at the bottom. Without a painter it only measures, to count the pages.
class Layout
{
public:
    Layout(QPdfWriter &writer, QPainter *painter, const QString &footer, int pageCount)
        : m_writer(writer)
        , m_painter(painter)
        , m_footer(footer)
        , m_pageCount(pageCount)
        , m_small(QStringLiteral("DejaVu Sans"))
    {
        m_small.setPointSizeF(8);
        m_smallBold = m_small;
        m_smallBold.setBold(true);
        const QSizeF page = writer.pageLayout().paintRectPixels(writer.resolution()).size();
        m_width = int(page.width());
        m_bottom = int(page.height()) - 2 * QFontMetrics(m_small, &writer).height();
    }

    int width() const { return m_width; }
    int pages() const { return m_page; }
    int lineHeight(const QFont &font) const { return QFontMetrics(font, &m_writer).height(); }

    void text(const QString &text, const QFont &font, int spacingAfter = 0)
    {
        const QFontMetrics metrics(font, &m_writer);
        const QRect bounds = metrics.boundingRect(QRect(0, 0, width(), 100000), Qt::TextWordWrap, text);
        ensureSpace(bounds.height());
        if (m_painter) {
            m_painter->setFont(font);
            m_painter->drawText(QRect(0, m_y, width(), bounds.height()), Qt::TextWordWrap, text);
        }
        m_y += bounds.height() + spacingAfter;
    }

    // A table's header row; drawn again at the top of every page until endTable().
    void beginTable(const Columns &columns)
    {
        m_columns = columns;
        row(columns.titles, true);
    }
    void endTable() { m_columns = {}; }

    // One row of the current table; long cells wrap onto more lines.
    void row(const QStringList &texts, bool header = false)
    {
        const QFont &font = header ? m_smallBold : m_small;
        const QFontMetrics metrics(font, &m_writer);
        const int pad = metrics.averageCharWidth() / 2;
        std::vector<std::unique_ptr<Cell>> cells;
        qreal tallest = metrics.height();
        for (int i = 0; i < texts.size(); ++i) {
            const int w = int(width() * m_columns.widths.value(i));
            cells.push_back(std::make_unique<Cell>(texts.at(i), font, &m_writer, w - 2 * pad));
            tallest = std::max(tallest, cells.back()->height());
        }
        const int margin = metrics.height() / 5;
        const int height = int(std::ceil(tallest)) + 2 * margin;
        // A header alone at the foot of a page says nothing: it goes with the first row.
        if (!ensureSpace(header ? 2 * height : height) || header)
            draw(cells, height, QPoint(pad, margin), header);
        else
            drawWithHeaderAbove(cells, height, QPoint(pad, margin));
    }

    void space(int height) { m_y += height; }

    void finish() { footer(); }

private:
    // Starts a new page when `height` does not fit on this one; false when it did.
    bool ensureSpace(int height)
    {
        if (m_y + height <= m_bottom)
            return false;
        footer();
        if (m_painter)
            m_writer.newPage();
        ++m_page;
        m_y = 0;
        return true;
    }

    void drawWithHeaderAbove(const std::vector<std::unique_ptr<Cell>> &cells, int height, QPoint padding)
    {
        if (!m_columns.titles.isEmpty()) {
            const QStringList titles = m_columns.titles;
            row(titles, true);
        }
        draw(cells, height, padding, false);
    }

    void draw(const std::vector<std::unique_ptr<Cell>> &cells, int height, QPoint padding, bool header)
    {
        if (m_painter) {
            if (header)
                m_painter->fillRect(QRect(0, m_y, width(), height), QColor(0xe8, 0xec, 0xf1));
            int x = 0;
            for (size_t i = 0; i < cells.size(); ++i) {
                cells[i]->draw(*m_painter, QPointF(x + padding.x(), m_y + padding.y()));
                x += int(width() * m_columns.widths.value(int(i)));
            }
            m_painter->setPen(QColor(0xcf, 0xd6, 0xde));
            m_painter->drawLine(0, m_y + height, width(), m_y + height);
            m_painter->setPen(Qt::black);
        }
        m_y += height;
    }

    void footer()
    {
        if (!m_painter)
            return;
        m_painter->setFont(m_small);
        const QRect line(0, m_bottom + QFontMetrics(m_small, &m_writer).height(), width(),
                         QFontMetrics(m_small, &m_writer).height());
        m_painter->drawText(line, Qt::AlignLeft | Qt::AlignVCenter, m_footer);
        m_painter->drawText(line, Qt::AlignRight | Qt::AlignVCenter,
                            PdfFailureReport::tr("Page %1 of %2")
                                    .arg(QLocale().toString(m_page), QLocale().toString(m_pageCount)));
    }

    QPdfWriter &m_writer;
    QPainter *m_painter;
    QString m_footer;
    int m_pageCount;
    QFont m_small;
    QFont m_smallBold;
    int m_width = 0;
    int m_bottom = 0;
    int m_y = 0;
    int m_page = 1;
    Columns m_columns;
};

// Lays the whole report out; once without a painter to count the pages, then to draw them.
// Counts are written as the reader's language writes them (QLocale(), set with the translation);
// dates and times stay numeric, year first, as the console shows them: "03/04" is read two ways.
// `progress` is told of each call laid out.
void layOut(Layout &layout, const QList<CallRecord> &calls, const FailureReportOptions &options,
            const std::function<void()> &progress)
{
    QFont title(QStringLiteral("DejaVu Sans"));
    title.setPointSizeF(18);
    title.setBold(true);
    QFont body(QStringLiteral("DejaVu Sans"));
    body.setPointSizeF(9.5);
    QFont bold = body;
    bold.setBold(true);
    const int gap = layout.lineHeight(body);

    layout.text(PdfFailureReport::tr("CallOps failure report"), title, gap / 2);
    layout.text(PdfFailureReport::tr("Period: %1").arg(options.periodText()), body);
    if (!options.clinic.isEmpty())
        layout.text(PdfFailureReport::tr("Clinic: %1").arg(options.clinic), body);
    layout.text(PdfFailureReport::tr("Generated: %1").arg(options.timeText(QDateTime::currentDateTimeUtc())),
                body);
    if (calls.isEmpty()) {
        layout.space(gap);
        layout.text(PdfFailureReport::tr("No call failed in this period."), bold);
        return;
    }
    layout.text(PdfFailureReport::tr("Failed calls: %1").arg(QLocale().toString(calls.size())), bold, gap);

    QMap<QString, int> totals;
    for (const CallRecord &call : calls)
        totals[call.failureReason.isEmpty() ? PdfFailureReport::tr("(no reason recorded)")
                                            : call.failureReason]
                += 1;
    QList<std::pair<QString, int>> sorted;
    for (auto it = totals.cbegin(); it != totals.cend(); ++it)
        sorted.append({it.key(), it.value()});
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto &a, const auto &b) { return a.second > b.second; });
    layout.text(PdfFailureReport::tr("Totals per failure reason"), bold, gap / 3);
    layout.beginTable(
            {{PdfFailureReport::tr("Failure reason"), PdfFailureReport::tr("Calls")}, {0.75, 0.25}});
    for (const auto &[reason, count] : sorted)
        layout.row({reason, QLocale().toString(count)});
    layout.endTable();
    layout.space(gap);

    layout.text(PdfFailureReport::tr("Calls"), bold, gap / 3);
    layout.beginTable(
            {{PdfFailureReport::tr("Exam"), PdfFailureReport::tr("Employee"), PdfFailureReport::tr("Clinic"),
              PdfFailureReport::tr("Phone"), PdfFailureReport::tr("State"),
              PdfFailureReport::tr("Failure reason"), PdfFailureReport::tr("Last error"),
              PdfFailureReport::tr("Attempts"), PdfFailureReport::tr("Failed at")},
             {0.07, 0.12, 0.11, 0.11, 0.08, 0.14, 0.16, 0.07, 0.14}});
    for (const CallRecord &call : calls) {
        const WorkflowState state = workflow::stateFromName(call.state);
        layout.row({call.examId, call.employeeName, call.clinicName,
                    call.phoneDisplay.isEmpty() ? call.phone : call.phoneDisplay,
                    state == WorkflowState::Unknown ? call.state : workflow::stateLabel(state),
                    call.failureReason, call.lastError, QLocale().toString(call.attempt),
                    options.timeText(call.failedAt.isValid() ? call.failedAt : call.stateChangedAt)});
        progress();
    }
    layout.endTable();
}

} // namespace

Status PdfFailureReport::write(const QString &path, const QList<CallRecord> &calls,
                               const FailureReportOptions &options, const Progress &progress)
{
    // Every call is laid out twice (measured, then drawn): told every 1% or so.
    const qsizetype total = 2 * calls.size();
    const qsizetype step = std::max<qsizetype>(1, total / 100);
    qsizetype done = 0;
    const auto tell = [&] {
        if (progress && (++done % step == 0 || done == total))
            progress(done / 2, calls.size());
    };
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error{PdfFailureReport::tr("Cannot write %1: %2").arg(path, file.errorString())};
    {
        QPdfWriter writer(&file);
        writer.setTitle(PdfFailureReport::tr("CallOps failure report"));
        writer.setCreator(QStringLiteral("CallOps"));
        writer.setResolution(300);
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Landscape,
                                         QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter));
        const QString footer = PdfFailureReport::tr("CallOps failure report, %1").arg(options.periodText());
        Layout measure(writer, nullptr, footer, 0);
        layOut(measure, calls, options, tell);

        QPainter painter;
        if (!painter.begin(&writer))
            return Error{PdfFailureReport::tr("Cannot write %1: the PDF could not be started").arg(path)};
        Layout layout(writer, &painter, footer, measure.pages());
        layOut(layout, calls, options, tell);
        layout.finish();
        if (!painter.end())
            return Error{PdfFailureReport::tr("Cannot write %1: the PDF could not be finished").arg(path)};
    }
    if (!file.commit())
        return Error{PdfFailureReport::tr("Cannot write %1: %2").arg(path, file.errorString())};
    return Status::success();
}

} // namespace callops
