#pragma once

#include "console/CallRecord.h"

#include <QWidget>

class QFormLayout;
class QLabel;
class QPushButton;
class QTreeWidget;

namespace callops {

class StateColumnColours;

// Everything about the selected call: its fields (date of birth masked until revealed) and its
// workflow_events history as a timeline with actor and reason.
class CallDetailPane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CallDetailPane)

public:
    explicit CallDetailPane(QWidget *parent = nullptr);

    void showCall(const CallRecord &call, const QList<WorkflowEventRecord> &history);
    void clear();
    QString callId() const { return m_call.id; }
    bool dobRevealed() const { return m_revealed; }
    void setDobRevealed(bool revealed);
    // The text shown for a field, by its object name ("dob", "phone", ...), for tests.
    QString fieldText(const QString &name) const;
    int historyCount() const;
    QTreeWidget *historyView() const { return m_history; }

    static QString maskedDob();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QLabel *addField(QFormLayout *form, const QString &name, const QString &label);
    void updateDob();

    CallRecord m_call;
    bool m_revealed = false;
    QLabel *m_title = nullptr;
    QWidget *m_fieldsWidget = nullptr;
    QFormLayout *m_form = nullptr;
    QLabel *m_dob = nullptr;
    QPushButton *m_reveal = nullptr;
    QList<QLabel *> m_fields;
    QTreeWidget *m_history = nullptr;
    StateColumnColours *m_historyColours = nullptr;
};

} // namespace callops
