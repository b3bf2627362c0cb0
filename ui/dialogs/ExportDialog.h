#pragma once

#include <QDialog>

class QCheckBox;
class QDateEdit;
class QLabel;
class QLineEdit;

namespace callops {

class ConsoleWorker;

// Exports failed calls to CSV or PDF: file, period, clinic, and whether to include dates of birth
// (CSV only; masked otherwise). The export runs on the console's worker thread.
class ExportDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ExportDialog)

public:
    explicit ExportDialog(ConsoleWorker *worker, QWidget *parent = nullptr);

private:
    void browse();
    void start();

    ConsoleWorker *m_worker;
    QLineEdit *m_path = nullptr;
    QCheckBox *m_useSince = nullptr;
    QDateEdit *m_since = nullptr;
    QCheckBox *m_useUntil = nullptr;
    QDateEdit *m_until = nullptr;
    QLineEdit *m_clinic = nullptr;
    QCheckBox *m_includeDob = nullptr;
    QLabel *m_status = nullptr;
};

} // namespace callops
