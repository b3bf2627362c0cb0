#pragma once

#include "workflow/ManualAction.h"

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace callops {

// Confirms a manual action: what it does, to how many calls, and the operator's reason (required
// for Mark failed; OK stays disabled until one is given).
class ActionDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ActionDialog)

public:
    // `count` calls are concerned, `allowed` of them can take the action (-1: not known before).
    // `calls` names them one a line (exam and employee) when there are few: the table reorders
    // under the mouse, so the dispatcher confirms what is really selected.
    ActionDialog(ManualAction action, qint64 count, qint64 allowed, bool wholeFilter,
                 const QStringList &calls = {}, QWidget *parent = nullptr);

    ManualAction action() const { return m_action; }
    QString reason() const;
    void setReason(const QString &reason);
    bool canAccept() const;
    QString message() const;

    static QString description(ManualAction action);

private:
    void updateButtons();

    ManualAction m_action;
    QLabel *m_message = nullptr;
    QLineEdit *m_reason = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace callops
