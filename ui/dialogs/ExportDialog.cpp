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
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QStandardPaths>
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
    m_export = buttons->addButton(tr("&Export"), QDialogButtonBox::AcceptRole);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_status);
    layout->addWidget(buttons);

    connect(browse, &QPushButton::clicked, this, &ExportDialog::browse);
    connect(m_export, &QPushButton::clicked, this, &ExportDialog::start);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(worker, &ConsoleWorker::exportProgressed, this, [this](qint64 done, qint64 total) {
        m_status->setText(
                tr("Exporting… %1 of %2 calls").arg(QLocale().toString(done), QLocale().toString(total)));
    });
    connect(worker, &ConsoleWorker::exportFinished, this, [this, buttons](bool ok, const QString &message) {
        m_export->setEnabled(true);
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
    if (!path.isEmpty()) {
        m_path->setText(path);
        m_replaceConfirmed = path; // the file dialog asked already
    }
}

void ExportDialog::start()
{
    const QString path = m_path->text().trimmed();
    if (path.isEmpty())
        return;
    const QFileInfo target(path);
    const QString suffix = target.suffix().toLower();
    if (suffix != u"csv" && suffix != u"pdf") {
        m_status->setText(tr("The file name must end in .csv (a spreadsheet) or .pdf (a printable report)."));
        return;
    }
    if (target.exists() && path != m_replaceConfirmed
        && QMessageBox::question(this, tr("Export failures"),
                                 tr("%1 already exists. Replace it?").arg(QDir::toNativeSeparators(path)),
                                 QMessageBox::Yes | QMessageBox::No, QMessageBox::No)
                != QMessageBox::Yes)
        return;
    m_replaceConfirmed.clear();
    // Whole days in this computer's time zone, the one the console shows times in.
    FailureReportOptions options;
    if (m_useSince->isChecked())
        options.firstDay = m_since->date();
    if (m_useUntil->isChecked())
        options.lastDay = m_until->date();
    options.clinic = m_clinic->text().trimmed();
    options.includeDob = m_includeDob->isChecked();
    m_status->setText(tr("Exporting…"));
    m_export->setEnabled(false); // until this export has finished
    ConsoleWorker *worker = m_worker;
    QMetaObject::invokeMethod(worker, [worker, path, options] { worker->exportFailures(path, options); });
}

} // namespace callops
