#include "ActionDialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace callops {

ActionDialog::ActionDialog(ManualAction action, qint64 count, qint64 allowed, bool wholeFilter,
                           const QStringList &calls, QWidget *parent)
    : QDialog(parent)
    , m_action(action)
    , m_message(new QLabel(this))
    , m_reason(new QLineEdit(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("actionDialog"));
    setWindowTitle(manualActions::actionLabel(action));
    m_message->setWordWrap(true);
    QString text = wholeFilter
            ? tr("%1 for all %n call(s) matching the current filter?", nullptr, int(count))
                      .arg(manualActions::actionLabel(action))
            : tr("%1 for %n selected call(s)?", nullptr, int(count)).arg(manualActions::actionLabel(action));
    if (!calls.isEmpty())
        text += u"\n\n" + calls.join(u'\n');
    text += u"\n\n" + description(action);
    if (allowed >= 0 && allowed < count)
        text += u"\n\n"
                + tr("Only %n of them can take this action now; the others are left alone (another state, or "
                     "a call "
                     "in flight that is not stuck).",
                     nullptr, int(allowed));
    else if (allowed < 0)
        text += u"\n\n"
                + tr("Calls in a state this action does not apply to, and calls in flight that are not "
                     "stuck, are "
                     "left alone.");
    m_message->setText(text);

    m_reason->setObjectName(QStringLiteral("reason"));
    m_reason->setPlaceholderText(manualActions::reasonRequired(action)
                                         ? tr("Required: why these calls failed")
                                         : tr("Optional, kept in the history"));
    m_reason->setMaxLength(500);
    m_buttons->button(QDialogButtonBox::Ok)->setText(manualActions::actionLabel(action));

    auto *form = new QFormLayout;
    form->addRow(tr("&Reason"), m_reason);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_message);
    layout->addLayout(form);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, [this] {
        if (canAccept())
            accept();
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_reason, &QLineEdit::textChanged, this, &ActionDialog::updateButtons);
    updateButtons();
    resize(460, sizeHint().height());
}

QString ActionDialog::description(ManualAction action)
{
    switch (action) {
    case ManualAction::RetryNow:
        return tr("Waiting retries become due now; failed calls start over with a fresh retry budget.");
    case ManualAction::ResetStuck:
        return tr("Calls in flight go back to Retry pending and are picked up again at once.");
    case ManualAction::MarkFailed:
        return tr("The calls are marked failed with your reason and are not called again.");
    case ManualAction::Reclassify:
        return tr("The classification is cleared and the calls start over from the look-up.");
    }
    return {};
}

QString ActionDialog::reason() const
{
    return m_reason->text().trimmed();
}

void ActionDialog::setReason(const QString &reason)
{
    m_reason->setText(reason);
}

bool ActionDialog::canAccept() const
{
    return !manualActions::reasonRequired(m_action) || !reason().isEmpty();
}

QString ActionDialog::message() const
{
    return m_message->text();
}

void ActionDialog::updateButtons()
{
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(canAccept());
}

} // namespace callops
