#include "ExportDialog.h"

#include "console/ConsoleWorker.h"

#include <QCheckBox>
#include <QDateEdit>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QTimeZone>
#include <QVBoxLayout>

namespace callops {

ExportDialog::ExportDialog(ConsoleWorker *worker, QWidget *parent)
    : QDialog(parent)
    , m_worker(worker)
    , m_path(new QLineEdit(this))
    , m_useSince(new QCheckBox(tr("From"), this))
    , m_since(new QDateEdit(QDate::currentDate().addDays(-7), this))
    , m_useUntil(new QCheckBox(tr("&To"), this))
    , m_until(new QDateEdit(QDate::currentDate(), this))
    , m_clinic(new QLineEdit(this))
    , m_includeDob(new QCheckBox(tr("Include &dates of birth (CSV only)"), this))
    , m_status(new QLabel(this))
{
    setWindowTitle(tr("Export failures"));
    // Documents when there is one: a fresh account, a server or a minimal desktop may have none,
    // and the first export would then fail for a folder the dispatcher never chose.
    QString folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (!QFileInfo(folder).isDir())
        folder = QDir::homePath();
    m_path->setObjectName(QStringLiteral("exportPath"));
    m_path->setText(QDir(folder).filePath(
            QStringLiteral("callops-failures-%1.csv").arg(QDate::currentDate().toString(Qt::ISODate))));
    auto *browse = new QPushButton(tr("B&rowse…"), this);
    auto *pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(browse);
    for (QDateEdit *edit : {m_since, m_until}) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
    }
    m_useSince->setChecked(true);
    connect(m_useSince, &QCheckBox::toggled, m_since, &QWidget::setEnabled);
    connect(m_useUntil, &QCheckBox::toggled, m_until, &QWidget::setEnabled);
    m_until->setEnabled(false);
    auto *period = new QHBoxLayout;
    period->addWidget(m_useSince);
    period->addWidget(m_since);
    period->addWidget(m_useUntil);
    period->addWidget(m_until);
    period->addStretch(1);
    m_clinic->setPlaceholderText(tr("All clinics"));
    m_status->setWordWrap(true);

    auto *form = new QFormLayout;
    // Rows holding a layout get no buddy from QFormLayout: their labels are bound here.
    auto *fileLabel = new QLabel(tr("&File (.csv or .pdf)"), this);
    fileLabel->setBuddy(m_path);
    auto *periodLabel = new QLabel(tr("Failed &between"), this);
    periodLabel->setBuddy(m_useSince);
    form->addRow(fileLabel, pathRow);
    form->addRow(periodLabel, period);
    form->addRow(tr("Cl&inic"), m_clinic);
    form->addRow(QString(), m_includeDob);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    auto *exportButton = buttons->addButton(tr("&Export"), QDialogButtonBox::AcceptRole);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_status);
    layout->addWidget(buttons);

    connect(browse, &QPushButton::clicked, this, &ExportDialog::browse);
    connect(exportButton, &QPushButton::clicked, this, &ExportDialog::start);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(worker, &ConsoleWorker::exportFinished, this,
            [this, exportButton, buttons](bool ok, const QString &message) {
                exportButton->setEnabled(true);
                m_status->setText(message);
                if (ok)
                    buttons->button(QDialogButtonBox::Cancel)->setText(tr("Close"));
            });
    resize(520, sizeHint().height());
}

void ExportDialog::browse()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export failures"), m_path->text(),
                                                      tr("CSV (*.csv);;PDF report (*.pdf)"));
    if (!path.isEmpty())
        m_path->setText(path);
}

void ExportDialog::start()
{
    const QString path = m_path->text().trimmed();
    if (path.isEmpty())
        return;
    FailureReportOptions options;
    if (m_useSince->isChecked())
        options.since = QDateTime(m_since->date(), QTime(0, 0)).toUTC();
    if (m_useUntil->isChecked())
        options.until = QDateTime(m_until->date().addDays(1), QTime(0, 0)).toUTC();
    options.clinic = m_clinic->text().trimmed();
    options.includeDob = m_includeDob->isChecked();
    m_status->setText(tr("Exporting…"));
    ConsoleWorker *worker = m_worker;
    QMetaObject::invokeMethod(worker, [worker, path, options] { worker->exportFailures(path, options); });
}

} // namespace callops
