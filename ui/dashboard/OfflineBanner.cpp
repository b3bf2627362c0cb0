#include "OfflineBanner.h"

#include "ClockText.h"
#include "StateColors.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

namespace callops {

OfflineBanner::OfflineBanner(QWidget *parent)
    : BannerFrame(stateColors::color(WorkflowState::Unknown), Text::Plain, parent)
    , m_label(new QLabel(this))
    , m_reconnect(new QPushButton(tr("Reconnect now"), this))
{
    setObjectName(QStringLiteral("offlineBanner"));
    setAccessibleName(tr("Database connection lost"));
    QFont bold = m_label->font();
    bold.setBold(true);
    m_label->setFont(bold);
    m_label->setWordWrap(true);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_reconnect->setObjectName(QStringLiteral("offlineReconnect"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 8, 4);
    layout->addWidget(m_label, 1);
    layout->addWidget(m_reconnect);
    connect(m_reconnect, &QPushButton::clicked, this, &OfflineBanner::reconnectRequested);
    setVisible(false);
}

void OfflineBanner::showOffline(const QString &reason, ConnectionProblem problem,
                                const QDateTime &lastRefresh)
{
    if (!isVisibleTo(parentWidget()) || !m_since.isValid())
        m_since = QDateTime::currentDateTime();
    const QString since = clockText::of(m_since);
    if (problem == ConnectionProblem::NotMigrated || problem == ConnectionProblem::NotPermitted) {
        // The reason is ours and says what to do; the server's answer would only be "relation
        // does not exist" or "permission denied".
        m_label->setText(tr("Not live since %1: %2 The console looks again by itself.").arg(since, reason));
        m_label->setToolTip(QString());
        setVisible(true);
        return;
    }
    if (problem == ConnectionProblem::Refused) {
        m_label->setText(tr("Not live since %1: the database refused the login. Correct it under File → "
                            "Connection…, or press Reconnect now once it is put right elsewhere; a "
                            "refused login is not tried again by itself.")
                                 .arg(since));
        m_label->setToolTip(reason);
        setVisible(true);
        return;
    }
    QString text = lastRefresh.isValid()
            ? tr("Not live since %1: the database cannot be reached. Counts and calls are as of %2; "
                 "the console reconnects by itself.")
                      .arg(since, clockText::of(lastRefresh))
            : tr("Not live since %1: the database cannot be reached; the console reconnects by itself.")
                      .arg(since);
    m_label->setText(text);
    m_label->setToolTip(reason);
    setVisible(true);
}

void OfflineBanner::hideOffline()
{
    m_since = {};
    setVisible(false);
}

QString OfflineBanner::text() const
{
    return m_label->text();
}

} // namespace callops
