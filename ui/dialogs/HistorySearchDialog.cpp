#include "HistorySearchDialog.h"

#include "StateColumnColours.h"
#include "console/ConsoleWorker.h"
#include "workflow/WorkflowState.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace callops {
namespace {

QString stateText(const QString &name)
{
    if (name.isEmpty())
        return {};
    const WorkflowState state = workflow::stateFromName(name);
    return state == WorkflowState::Unknown ? name : workflow::stateLabel(state);
}

} // namespace

HistorySearchDialog::HistorySearchDialog(ConsoleWorker *worker, QWidget *parent)
    : QDialog(parent)
    , m_worker(worker)
    , m_text(new QLineEdit(this))
    , m_results(new QTreeWidget(this))
{
    setObjectName(QStringLiteral("historySearchDialog"));
    setWindowTitle(tr("Search history by reason"));
    m_text->setObjectName(QStringLiteral("historySearchText"));
    m_text->setPlaceholderText(tr("Words of the reason, e.g. clinic closed"));
    m_text->setClearButtonEnabled(true);
    m_results->setObjectName(QStringLiteral("historySearchResults"));
    m_resultColours = new StateColumnColours(m_results, 1);
    m_results->setAccessibleName(tr("Changes found"));
    m_results->setRootIsDecorated(false);
    m_results->setUniformRowHeights(true);
    m_results->setAlternatingRowColors(true);
    m_results->setHeaderLabels({tr("When"), tr("Change"), tr("Actor"), tr("Reason"), tr("Call id")});
    m_results->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    // Enter in the search field searches: the line edit passes the key on to the dialog, which
    // would also press a default button and close.
    for (QAbstractButton *button : buttons->buttons()) {
        if (auto *push = qobject_cast<QPushButton *>(button)) {
            push->setAutoDefault(false);
            push->setDefault(false);
        }
    }
    auto *label = new QLabel(tr("&Reason contains"), this);
    label->setBuddy(m_text);
    auto *searchRow = new QHBoxLayout;
    searchRow->addWidget(label);
    searchRow->addWidget(m_text, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(searchRow);
    layout->addWidget(m_results, 1);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_text, &QLineEdit::returnPressed, this, [this] { search(m_text->text()); });
    connect(worker, &ConsoleWorker::historySearched, this, &HistorySearchDialog::showResults);
    connect(m_results, &QTreeWidget::itemActivated, this,
            [this](QTreeWidgetItem *item) { emit callRequested(item->text(4)); });
    resize(900, 480);
}

void HistorySearchDialog::search(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return;
    if (m_text->text() != text)
        m_text->setText(text);
    m_pending = trimmed;
    ConsoleWorker *worker = m_worker;
    QMetaObject::invokeMethod(worker, [worker, trimmed] { worker->searchHistory(trimmed); });
}

void HistorySearchDialog::showResults(const QString &text, const QList<WorkflowEventRecord> &events)
{
    if (text != m_pending)
        return;
    m_results->clear();
    for (const WorkflowEventRecord &event : events) {
        const QString change = event.fromState.isEmpty()
                ? stateText(event.toState)
                : tr("%1 → %2").arg(stateText(event.fromState), stateText(event.toState));
        auto *item = new QTreeWidgetItem(
                m_results,
                {QLocale().toString(event.at.toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm")), change,
                 event.actor, event.reason, event.callId});
        item->setData(1, Qt::UserRole, event.toState);
    }
    m_resultColours->apply();
}

} // namespace callops
