#pragma once

#include <QDialog>

class QCheckBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QPushButton;

namespace callops {

class ConsoleWorker;

// Exports failed calls to CSV or PDF: file (an existing one is replaced only when agreed to),
// period (whole days in this computer's zone), clinic, and whether to include dates of birth (CSV
// only; masked otherwise). The export runs on the console's worker thread.
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
    QPushButton *m_export = nullptr;
    QString m_replaceConfirmed; // a path whose replacement was agreed to in the file dialog
};

} // namespace callops
