#pragma once

#include "BannerFrame.h"

class QLabel;
class QPushButton;

namespace callops {

// The red strip above the table when calls are stuck: the count, "Show" and "Reset all…".
class StuckBanner final : public BannerFrame
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StuckBanner)

public:
    explicit StuckBanner(QWidget *parent = nullptr);

    void setStuckCount(qint64 count);
    qint64 stuckCount() const { return m_count; }
    QString text() const;

signals:
    void showRequested();
    void resetAllRequested();

private:
    QLabel *m_label = nullptr;
    QPushButton *m_show = nullptr;
    QPushButton *m_reset = nullptr;
    qint64 m_count = 0;
};

} // namespace callops
