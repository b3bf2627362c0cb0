#pragma once

#include <QColor>
#include <QObject>

class QWidget;

namespace callops {

// Draws a widget's text in an accent colour (a state's, an error's red) made readable on the
// widget's background, and makes it again when the palette changes (the desktop going dark).
// A style sheet colour would stay as it was set, whatever the background became.
class AccentText final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AccentText)

public:
    // An invalid accent gives the widget its palette's own text colour back.
    static void set(QWidget *widget, const QColor &accent);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    explicit AccentText(QWidget *widget);
    void apply();

    QWidget *m_widget = nullptr;
    QColor m_accent;
};

} // namespace callops
