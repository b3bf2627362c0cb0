#include "CallDetailPane.h"

#include "AccentText.h"
#include "PhoneText.h"
#include "StateColors.h"
#include "StateColumnColours.h"

#include <QEvent>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QTimeZone>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace callops {
namespace {

// This computer's time with its zone named: the clinic's zone is shown a few lines up, and a time
// read in the wrong one is a wrong hour said to the clinic.
QString timeText(const QDateTime &time)
{
    return time.isValid() ? QLocale().toString(time.toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm:ss t"))
                          : QString();
}

// An appointment as the clinic tells it, and as it is here when that differs.
QString appointmentText(const QDateTime &time, const QString &clinicZone)
{
    const QTimeZone zone(clinicZone.toUtf8());
    if (!time.isValid() || clinicZone.isEmpty() || !zone.isValid()
        || zone.offsetFromUtc(time) == time.toLocalTime().offsetFromUtc())
        return timeText(time);
    const QString atClinic = QLocale().toString(time.toTimeZone(zone), QStringLiteral("yyyy-MM-dd HH:mm t"));
    return CallDetailPane::tr("%1 at the clinic (%2 here)").arg(atClinic, timeText(time));
}

QString stateText(const QString &name)
{
    if (name.isEmpty())
        return {};
    const WorkflowState state = workflow::stateFromName(name);
    return state == WorkflowState::Unknown ? name : workflow::stateLabel(state);
}

} // namespace

CallDetailPane::CallDetailPane(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_history(new QTreeWidget(this))
{
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A long title ("Ninguna llamada seleccionada") wraps rather than widen the pane's minimum.
    m_title->setWordWrap(true);

    auto *fieldsWidget = new QWidget(this);
    auto *form = new QFormLayout(fieldsWidget);
    m_fieldsWidget = fieldsWidget;
    m_form = form;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setLabelAlignment(Qt::AlignRight);
    // In a narrow pane (or with longer labels, as in Spanish) a field that does not fit beside its
    // label goes under it rather than past the pane's edge.
    form->setRowWrapPolicy(QFormLayout::WrapLongRows);
    QLabel *stateField = addField(form, QStringLiteral("state"), tr("State"));
    QFont boldState = stateField->font();
    boldState.setBold(true);
    stateField->setFont(boldState);
    addField(form, QStringLiteral("exam"), tr("Exam"));
    addField(form, QStringLiteral("employee"), tr("Employee"));

    auto *dobRow = new QWidget(fieldsWidget);
    auto *dobLayout = new QHBoxLayout(dobRow);
    dobLayout->setContentsMargins(0, 0, 0, 0);
    m_dob = new QLabel(dobRow);
    m_dob->setObjectName(QStringLiteral("dob"));
    m_dob->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_reveal = new QPushButton(tr("Reveal"), dobRow);
    m_reveal->setObjectName(QStringLiteral("revealDob"));
    m_reveal->setCheckable(true);
    m_reveal->setFlat(true);
    dobLayout->addWidget(m_dob);
    dobLayout->addWidget(m_reveal);
    dobLayout->addStretch(1);
    form->addRow(tr("Date of birth"), dobRow);
    connect(m_reveal, &QPushButton::toggled, this, &CallDetailPane::setDobRevealed);

    addField(form, QStringLiteral("phone"), tr("Phone"));
    addField(form, QStringLiteral("clinic"), tr("Clinic"));
    addField(form, QStringLiteral("timezone"), tr("Clinic time zone"));
    addField(form, QStringLiteral("appointment"), tr("Appointment"));
    addField(form, QStringLiteral("retries"), tr("Retries"));
    addField(form, QStringLiteral("attempt"), tr("Attempt"));
    addField(form, QStringLiteral("nextAction"), tr("Next action"));
    addField(form, QStringLiteral("lastError"), tr("Last error"));
    addField(form, QStringLiteral("failureReason"), tr("Failure reason"));
    addField(form, QStringLiteral("failedAt"), tr("Failed at"));
    addField(form, QStringLiteral("classification"), tr("Classification"));
    addField(form, QStringLiteral("lastAttempt"), tr("Last attempt"));
    addField(form, QStringLiteral("stateChanged"), tr("In this state since"));
    addField(form, QStringLiteral("created"), tr("Created"));
    addField(form, QStringLiteral("updated"), tr("Updated"));
    addField(form, QStringLiteral("lockedBy"), tr("Claimed by"));
    addField(form, QStringLiteral("id"), tr("Call id"));

    auto *scroll = new QScrollArea(this);
    scroll->setWidget(fieldsWidget);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setAccessibleName(tr("Call details"));
    fieldsWidget->installEventFilter(this);

    m_history->setObjectName(QStringLiteral("history"));
    m_history->setAccessibleName(tr("History"));
    m_history->setColumnCount(4);
    m_history->setHeaderLabels({tr("When"), tr("Change"), tr("Actor"), tr("Reason")});
    m_history->setRootIsDecorated(false);
    m_history->setUniformRowHeights(true);
    m_history->setAlternatingRowColors(true);
    m_historyColours = new StateColumnColours(m_history, 1);
    m_history->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_history->header()->setStretchLastSection(true);

    auto *historyLabel = new QLabel(tr("History"), this);
    QFont bold = historyLabel->font();
    bold.setBold(true);
    historyLabel->setFont(bold);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(scroll, 3);
    layout->addWidget(historyLabel);
    layout->addWidget(m_history, 2);
    // Tab goes through the pane top to bottom: the fields (and Reveal), then the history.
    setTabOrder(scroll, m_reveal);
    setTabOrder(m_reveal, m_history);
    clear();
}

bool CallDetailPane::eventFilter(QObject *watched, QEvent *event)
{
    // QFormLayout keeps the rows' heights it worked out before the scroll area gave the fields
    // their final size (the scroll area sizes them from heightForWidth, after the values changed),
    // and a wrapped value was cut to fewer lines than it needs. Laying the rows out again at the
    // size they were given shows every line.
    if (watched == m_fieldsWidget && event->type() == QEvent::Resize)
        m_form->invalidate();
    return QWidget::eventFilter(watched, event);
}

QLabel *CallDetailPane::addField(QFormLayout *form, const QString &name, const QString &label)
{
    auto *value = new QLabel(form->parentWidget());
    value->setObjectName(name);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    value->setWordWrap(true);
    // A long word (a call id, a scheduler's name) would otherwise set the pane's minimum width
    // and push every field out of sight behind a horizontal scroll bar; it is cut at the edge
    // instead, whole in its tooltip and when selected and copied.
    value->setMinimumWidth(value->fontMetrics().averageCharWidth() * 8);
    form->addRow(label, value);
    m_fields.append(value);
    return value;
}

QString CallDetailPane::maskedDob()
{
    return QStringLiteral("••••-••-••");
}

void CallDetailPane::clear()
{
    m_call = {};
    m_title->setText(tr("No call selected"));
    for (QLabel *field : std::as_const(m_fields)) {
        field->clear();
        field->setToolTip({});
    }
    m_dob->clear();
    m_reveal->setEnabled(false);
    m_history->clear();
    setDobRevealed(false);
}

void CallDetailPane::setDobRevealed(bool revealed)
{
    m_revealed = revealed;
    if (m_reveal->isChecked() != revealed)
        m_reveal->setChecked(revealed);
    m_reveal->setText(revealed ? tr("Hide") : tr("Reveal"));
    updateDob();
}

void CallDetailPane::updateDob()
{
    if (m_call.id.isEmpty() || !m_call.employeeDob.isValid())
        m_dob->setText(m_call.id.isEmpty() ? QString() : tr("not recorded"));
    else
        m_dob->setText(m_revealed ? m_call.employeeDob.toString(Qt::ISODate) : maskedDob());
}

void CallDetailPane::showCall(const CallRecord &call, const QList<WorkflowEventRecord> &history)
{
    const bool sameCall = call.id == m_call.id;
    m_call = call;
    if (!sameCall)
        setDobRevealed(false);
    m_reveal->setEnabled(call.employeeDob.isValid());
    const WorkflowState state = workflow::stateFromName(call.state);
    m_title->setText(call.examId.isEmpty() ? call.id : tr("Exam %1").arg(call.examId));
    auto set = [this](const QString &name, const QString &text) {
        if (auto *label = findChild<QLabel *>(name)) {
            label->setText(text);
            label->setToolTip(text);
        }
    };
    auto *stateLabel = findChild<QLabel *>(QStringLiteral("state"));
    stateLabel->setText(stateText(call.state));
    AccentText::set(stateLabel, stateColors::color(state));
    set(QStringLiteral("exam"), call.examId);
    set(QStringLiteral("employee"), call.employeeName);
    set(QStringLiteral("phone"), phoneText::described(call));
    set(QStringLiteral("clinic"), call.clinicName);
    set(QStringLiteral("timezone"),
        call.clinicTimezone.isEmpty() ? tr("from the number or the default") : call.clinicTimezone);
    set(QStringLiteral("appointment"), appointmentText(call.appointmentTime, call.clinicTimezone));
    set(QStringLiteral("retries"), tr("%1 of %2").arg(call.retryCount).arg(call.maxRetries));
    set(QStringLiteral("attempt"), QString::number(call.attempt));
    set(QStringLiteral("nextAction"), workflow::isTerminal(state) ? QString() : timeText(call.nextActionAt));
    set(QStringLiteral("lastError"), call.lastError);
    set(QStringLiteral("failureReason"), call.failureReason);
    set(QStringLiteral("failedAt"), timeText(call.failedAt));
    set(QStringLiteral("classification"), call.classificationId);
    set(QStringLiteral("lastAttempt"), timeText(call.lastAttemptAt));
    set(QStringLiteral("stateChanged"), timeText(call.stateChangedAt));
    set(QStringLiteral("created"), timeText(call.createdAt));
    set(QStringLiteral("updated"), timeText(call.updatedAt));
    set(QStringLiteral("lockedBy"), call.lockedBy);
    set(QStringLiteral("id"), call.id);
    updateDob();

    m_history->clear();
    for (const WorkflowEventRecord &event : history) {
        const QString change = event.fromState.isEmpty()
                ? tr("created as %1").arg(stateText(event.toState))
                : tr("%1 → %2").arg(stateText(event.fromState), stateText(event.toState));
        const QString when = QLocale().toString(event.at.toLocalTime(), QStringLiteral("MM-dd HH:mm"));
        auto *item = new QTreeWidgetItem(m_history, {when, change, event.actor, event.reason});
        item->setToolTip(0, timeText(event.at));
        item->setData(1, Qt::UserRole, event.toState);
        if (!event.event.isEmpty())
            item->setToolTip(1, event.event);
        item->setToolTip(3, event.reason);
    }
    m_historyColours->apply();
    if (m_history->topLevelItemCount() > 0)
        m_history->scrollToItem(m_history->topLevelItem(m_history->topLevelItemCount() - 1));
}

QString CallDetailPane::fieldText(const QString &name) const
{
    const auto *label = findChild<QLabel *>(name);
    return label ? label->text() : QString();
}

int CallDetailPane::historyCount() const
{
    return m_history->topLevelItemCount();
}

} // namespace callops
