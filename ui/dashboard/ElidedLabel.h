#pragma once

#include <QLabel>

namespace callops {

// A one-line label that gives up width before anything else does: narrower than its text, it ends
// the text with "…" and shows it whole in a tooltip. For the status bar, whose permanent labels
// (a long connection name, a Spanish sentence) would otherwise make the window wider than a small
// screen.
class ElidedLabel final : public QLabel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ElidedLabel)

public:
    explicit ElidedLabel(const QString &text = {}, QWidget *parent = nullptr);
    explicit ElidedLabel(QWidget *parent)
        : ElidedLabel(QString(), parent)
    { }

    QSize minimumSizeHint() const override;
    bool isElided() const;

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
};

} // namespace callops
