#pragma once

#include "BannerFrame.h"
#include "db/ConnectionProblem.h"

#include <QDateTime>

class QLabel;
class QPushButton;

namespace callops {

// The strip above the table while the database connection is down: what is on screen is no
// longer live, since when, and a way to try again at once.
class OfflineBanner final : public BannerFrame
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OfflineBanner)

public:
    explicit OfflineBanner(QWidget *parent = nullptr);

    // lastRefresh: when what is on screen was read (invalid: never).
    void showOffline(const QString &reason, ConnectionProblem problem, const QDateTime &lastRefresh);
    void hideOffline();
    QString text() const;

signals:
    void reconnectRequested();

private:
    QLabel *m_label = nullptr;
    QPushButton *m_reconnect = nullptr;
    QDateTime m_since;
};

} // namespace callops
