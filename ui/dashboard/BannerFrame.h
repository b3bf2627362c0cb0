#pragma once

#include <QColor>
#include <QFrame>

namespace callops {

// The rounded strip a banner (stuck calls, the lost connection) is drawn in: the palette's window
// tinted with the banner's accent, so that it stands out as much under a dark desktop theme as under
// a light one, and its labels' text readable on it. Both are worked out again when the palette changes.
class BannerFrame : public QFrame
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BannerFrame)

public:
    enum class Text { Accent, Plain };

    BannerFrame(const QColor &accent, Text text, QWidget *parent = nullptr);

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;

private:
    QColor fillColor() const;
    // The colour of the banner's own labels (not its buttons, which keep the palette's).
    QColor textColor() const;
    void applyTextColor();

    QColor m_accent;
    Text m_text;
};

} // namespace callops
