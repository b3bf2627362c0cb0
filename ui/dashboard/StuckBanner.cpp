#include "StuckBanner.h"

#include "StateColors.h"

#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QPushButton>

namespace callops {

StuckBanner::StuckBanner(QWidget *parent)
    : BannerFrame(stateColors::color(WorkflowState::Failed), Text::Accent, parent)
    , m_label(new QLabel(this))
    , m_show(new QPushButton(tr("Show"), this))
    , m_reset(new QPushButton(tr("Reset all…"), this))
{
    setObjectName(QStringLiteral("stuckBanner"));
    setAccessibleName(tr("Stuck calls"));
    QFont bold = m_label->font();
    bold.setBold(true);
    m_label->setFont(bold);
    auto *icon = new QLabel(this);
    icon->setPixmap(QIcon(QStringLiteral(":/icons/stuck.svg")).pixmap(18, 18));
    icon->setAccessibleName(tr("Warning"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 8, 4);
    layout->addWidget(icon);
    layout->addWidget(m_label, 1);
    layout->addWidget(m_show);
    layout->addWidget(m_reset);
    m_show->setObjectName(QStringLiteral("stuckShow"));
    m_reset->setObjectName(QStringLiteral("stuckResetAll"));
    m_show->setToolTip(tr("Show only the stuck calls in the table"));
    m_reset->setToolTip(tr("Reset every stuck call (asks first)"));
    connect(m_show, &QPushButton::clicked, this, &StuckBanner::showRequested);
    connect(m_reset, &QPushButton::clicked, this, &StuckBanner::resetAllRequested);
    setVisible(false);
}

void StuckBanner::setStuckCount(qint64 count)
{
    m_count = count;
    m_label->setText(tr("%n call(s) stuck: in their state longer than its threshold.", nullptr, int(count)));
    setVisible(count > 0);
}

QString StuckBanner::text() const
{
    return m_label->text();
}

} // namespace callops
