#pragma once

#include <QList>
#include <QWidget>

class QComboBox;
class QGridLayout;
class QLineEdit;

namespace callops {

// The search box and the filter drop-downs above the calls table: on one row where there is room,
// else the search on a row of its own above the drop-downs. On a small screen the table's column
// then needs less width, which the details pane keeps.
class CallFilterBar final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CallFilterBar)

public:
    CallFilterBar(QLineEdit *search, const QList<QComboBox *> &filters, QWidget *parent = nullptr);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    bool isStacked() const { return m_stacked; }

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void arrange(bool stacked);
    int oneRowWidth() const;
    int stackedWidth() const;

    QLineEdit *m_search = nullptr;
    QList<QComboBox *> m_filters;
    QGridLayout *m_layout = nullptr;
    bool m_stacked = false;
};

} // namespace callops
