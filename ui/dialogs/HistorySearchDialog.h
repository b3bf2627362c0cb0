#pragma once

#include "console/CallRecord.h"

#include <QDialog>

class QLineEdit;
class QTreeWidget;

namespace callops {

class ConsoleWorker;
class StateColumnColours;

// Searches the workflow history by the reason recorded with each change (operators' reasons for
// manual actions, errors of the scheduler), newest first. Double-clicking a row asks the main
// window to show that call.
class HistorySearchDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistorySearchDialog)

public:
    explicit HistorySearchDialog(ConsoleWorker *worker, QWidget *parent = nullptr);

    void search(const QString &text);
    QTreeWidget *results() const { return m_results; }

signals:
    void callRequested(const QString &callId);

private:
    void showResults(const QString &text, const QList<WorkflowEventRecord> &events);

    ConsoleWorker *m_worker;
    QLineEdit *m_text = nullptr;
    QTreeWidget *m_results = nullptr;
    StateColumnColours *m_resultColours = nullptr;
    QString m_pending;
};

} // namespace callops
