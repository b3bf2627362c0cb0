#include "StuckRulesDialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QMap>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

namespace callops {
namespace {

constexpr int MaxMinutes = 7 * 24 * 60;

// Rounded up: a threshold of 90 s from the settings file shows as 2 min, not as 1.
int minutesOf(int seconds)
{
    return std::clamp((seconds + 59) / 60, 1, MaxMinutes);
}

} // namespace

StuckRulesDialog::StuckRulesDialog(const StuckRules &rules, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Stuck thresholds"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("A call counts as stuck when it has stayed longer than this: calls being "
                                "placed since their call started, other calls since they were due and last "
                                "changed. The banner, the Stuck filter and Reset stuck follow these values."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    // The states' names with an Alt letter each, none of them taken by the buttons (GNOME's &OK and
    // &Cancel; &Aceptar and &Cancelar in Spanish). Everywhere else the states are named without one.
    const QMap<WorkflowState, QString> labels{
            {WorkflowState::New, tr("&New")},
            {WorkflowState::CheckingClassification, tr("Chec&king classification")},
            {WorkflowState::NeedsClassification, tr("Nee&ds classification")},
            {WorkflowState::Classifying, tr("Classi&fying")},
            {WorkflowState::ClassificationPending, tr("Classification &pending (IVR wait)")},
            {WorkflowState::ReadyToCall, tr("Ready &to call")},
            {WorkflowState::Calling, tr("Ca&lling")},
            {WorkflowState::RetryPending, tr("Retr&y pending")},
    };
    auto *form = new QFormLayout;
    for (WorkflowState state : workflow::knownStates()) {
        if (rules.thresholdSeconds(state) <= 0)
            continue;
        auto *minutes = new QSpinBox(this);
        minutes->setObjectName(QStringLiteral("stuckMinutes_") + workflow::stateName(state));
        minutes->setRange(1, MaxMinutes);
        minutes->setSuffix(tr(" min"));
        minutes->setAccelerated(true);
        auto *label = new QLabel(labels.value(state, workflow::stateLabel(state)), this);
        label->setBuddy(minutes);
        form->addRow(label, minutes);
        m_minutes.insert(state, minutes);
    }
    layout->addLayout(form);

    auto *buttons = new QDialogButtonBox(
            QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::RestoreDefaults, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this,
            [this] { display(StuckRules::defaults()); });
    layout->addWidget(buttons);
    display(rules);
}

void StuckRulesDialog::display(const StuckRules &rules)
{
    m_shown = rules;
    for (auto it = m_minutes.cbegin(); it != m_minutes.cend(); ++it)
        it.value()->setValue(minutesOf(rules.thresholdSeconds(it.key())));
}

StuckRules StuckRulesDialog::rules() const
{
    StuckRules rules = m_shown;
    for (auto it = m_minutes.cbegin(); it != m_minutes.cend(); ++it) {
        if (it.value()->value() != minutesOf(m_shown.thresholdSeconds(it.key())))
            rules.setThresholdSeconds(it.key(), it.value()->value() * 60);
    }
    return rules;
}

} // namespace callops
