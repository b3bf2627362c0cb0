#pragma once

#include <QComboBox>

namespace callops {

// A combo box whose current text ends with "…" when it is narrower than the text, and shows the
// whole text in a tooltip. Qt's own cuts the text at the edge ("Cualquier moti"), which at a big
// font or a high scale reads as another word. For the filters, which keep a bounded width.
class ElidedComboBox final : public QComboBox
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ElidedComboBox)

public:
    explicit ElidedComboBox(QWidget *parent = nullptr);

    bool isElided() const;

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;

private:
    // Where the current text is drawn, and the text to draw there.
    QRect textRect() const;
};

} // namespace callops
