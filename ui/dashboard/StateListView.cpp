#include "StateListView.h"

#include "ReadableColor.h"
#include "StateColors.h"

#include <QEvent>
#include <QHeaderView>
#include <QIcon>
#include <QPainter>
#include <QPixmap>
#include <QStyle>

namespace callops {
namespace {

constexpr int kStateRole = Qt::UserRole + 1;
constexpr int kKindRole = Qt::UserRole + 2;
enum Kind { AllKind, StuckKind, GroupKind, StateKind };

QIcon dot(const QColor &color)
{
    // Drawn at each device pixel ratio a screen may have (125 %..300 %): a 12 px pixmap scaled up
    // by the icon engine is a blurred disc beside sharp text and SVG icons.
    QIcon icon;
    for (qreal ratio : {1.0, 1.25, 1.5, 2.0, 3.0}) {
        const int side = qRound(12 * ratio);
        QPixmap pixmap(side, side);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(color);
        painter.drawEllipse(QRectF(ratio, ratio, 10 * ratio, 10 * ratio));
        painter.end();
        pixmap.setDevicePixelRatio(ratio);
        icon.addPixmap(pixmap);
    }
    return icon;
}

} // namespace

StateListView::StateListView(QWidget *parent)
    : QTreeWidget(parent)
{
    setColumnCount(2);
    setHeaderHidden(true);
    setRootIsDecorated(false);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setUniformRowHeights(true);
    setIndentation(14);
    header()->setStretchLastSection(false);
    header()->setSectionResizeMode(0, QHeaderView::Stretch);
    header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);

    m_all = new QTreeWidgetItem(this, {tr("All calls"), QString()});
    m_all->setData(0, kKindRole, AllKind);
    m_all->setIcon(0, QIcon(QStringLiteral(":/icons/all.svg")));
    m_stuck = new QTreeWidgetItem(this, {tr("Stuck"), QString()});
    m_stuck->setData(0, kKindRole, StuckKind);
    m_stuck->setIcon(0, QIcon(QStringLiteral(":/icons/stuck.svg")));

    const QList<std::pair<StateGroup, QString>> groups{
            {StateGroup::Actionable, tr("Needs action")},
            {StateGroup::InFlight, tr("In flight")},
            {StateGroup::Terminal, tr("Done")},
    };
    for (const auto &[group, label] : groups) {
        auto *item = new QTreeWidgetItem(this, {label, QString()});
        item->setData(0, kKindRole, GroupKind);
        item->setData(0, kStateRole, int(group));
        QFont font = item->font(0);
        font.setBold(true);
        item->setFont(0, font);
        item->setFont(1, font);
        m_groups.append(item);
        for (WorkflowState state : workflow::statesInGroup(group))
            addStateItem(item, state);
    }
    m_unknown = addStateItem(m_groups.first(), WorkflowState::Unknown);
    m_unknown->setHidden(true);
    expandAll();
    setItemsExpandable(false);
    m_all->setSelected(true);

    connect(this, &QTreeWidget::itemSelectionChanged, this, &StateListView::selectionChangedByUser);
    setCounts({});
}

QTreeWidgetItem *StateListView::addStateItem(QTreeWidgetItem *group, WorkflowState state)
{
    auto *item = new QTreeWidgetItem(group, {workflow::stateLabel(state), QString()});
    item->setData(0, kKindRole, StateKind);
    item->setData(0, kStateRole, int(state));
    item->setIcon(0, dot(stateColors::color(state)));
    // Longer labels (and their translations) may still be cut when the user narrows the list.
    item->setToolTip(0, workflow::stateLabel(state));
    item->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
    m_states.insert(state, item);
    return item;
}

void StateListView::setCountText(QTreeWidgetItem *item, qint64 count)
{
    item->setText(1, QLocale().toString(count));
    item->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
}

void StateListView::setCounts(const StateCounts &counts)
{
    m_counts = counts;
    setCountText(m_all, counts.total);
    setCountText(m_stuck, counts.stuck);
    applyColors();
    QFont font = m_stuck->font(0);
    font.setBold(counts.stuck > 0);
    m_stuck->setFont(0, font);
    m_stuck->setFont(1, font);
    for (auto it = m_states.cbegin(); it != m_states.cend(); ++it)
        setCountText(it.value(), counts.count(it.key()));
    m_unknown->setHidden(counts.count(WorkflowState::Unknown) == 0);
    for (QTreeWidgetItem *group : std::as_const(m_groups)) {
        qint64 sum = 0;
        for (WorkflowState state : workflow::statesInGroup(StateGroup(group->data(0, kStateRole).toInt())))
            sum += counts.count(state);
        if (group == m_groups.first())
            sum += counts.count(WorkflowState::Unknown);
        setCountText(group, sum);
    }
}

void StateListView::changeEvent(QEvent *event)
{
    QTreeWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyColors();
}

QColor StateListView::textColor(const QColor &accent) const
{
    return readableColor::on(accent, {palette().color(QPalette::Base)});
}

void StateListView::applyColors()
{
    for (QTreeWidgetItem *group : std::as_const(m_groups))
        group->setForeground(
                0, textColor(stateColors::groupColor(StateGroup(group->data(0, kStateRole).toInt()))));
    // Without stuck calls the row takes the palette's text colour, whatever the palette becomes.
    for (int column : {0, 1}) {
        if (m_counts.stuck > 0)
            m_stuck->setForeground(column, textColor(stateColors::color(WorkflowState::Failed)));
        else
            m_stuck->setData(column, Qt::ForegroundRole, QVariant());
    }
}

QList<WorkflowState> StateListView::selectedStates() const
{
    QList<WorkflowState> states;
    for (QTreeWidgetItem *item : selectedItems()) {
        const int kind = item->data(0, kKindRole).toInt();
        if (kind == AllKind || kind == StuckKind)
            return {};
        if (kind == GroupKind) {
            const auto group = StateGroup(item->data(0, kStateRole).toInt());
            for (WorkflowState state : workflow::statesInGroup(group)) {
                if (!states.contains(state))
                    states.append(state);
            }
            if (group == StateGroup::Actionable && !states.contains(WorkflowState::Unknown))
                states.append(WorkflowState::Unknown);
        } else {
            const auto state = WorkflowState(item->data(0, kStateRole).toInt());
            if (!states.contains(state))
                states.append(state);
        }
    }
    return states;
}

bool StateListView::stuckSelected() const
{
    return m_stuck->isSelected();
}

void StateListView::selectStuck()
{
    clearSelection();
    m_stuck->setSelected(true);
    setCurrentItem(m_stuck);
}

void StateListView::selectAll()
{
    clearSelection();
    m_all->setSelected(true);
    setCurrentItem(m_all);
}

qint64 StateListView::shownCount(WorkflowState state) const
{
    const QTreeWidgetItem *item = m_states.value(state);
    return item ? QLocale().toLongLong(item->text(1)) : -1;
}

qint64 StateListView::shownStuck() const
{
    return QLocale().toLongLong(m_stuck->text(1));
}

QSize StateListView::sizeHint() const
{
    // Wide enough for the longest label in the current language beside a six-digit count, so that
    // no state is cut at the window's first size. The list is short: no room kept for a scroll bar.
    auto labelWidth = [](const QTreeWidgetItem *item) {
        return QFontMetrics(item->font(0)).horizontalAdvance(item->text(0));
    };
    int widest = 0;
    for (int i = 0; i < topLevelItemCount(); ++i) {
        const QTreeWidgetItem *top = topLevelItem(i);
        widest = std::max(widest, labelWidth(top));
        for (int j = 0; j < top->childCount(); ++j)
            widest = std::max(widest, indentation() + labelWidth(top->child(j)));
    }
    const int icon
            = iconSize().isValid() ? iconSize().width() : style()->pixelMetric(QStyle::PM_SmallIconSize);
    const int count = fontMetrics().horizontalAdvance(QLocale().toString(999999));
    // Each cell's text margins and the gap after the icon, and the frame.
    const int margins = 4 * (style()->pixelMetric(QStyle::PM_FocusFrameHMargin) + 1) + 8;
    const int chrome = margins + 2 * frameWidth();
    return {widest + icon + count + chrome, 400};
}

} // namespace callops
