#include "SchedulerPanel.h"

#include "ClockText.h"
#include "PassResultText.h"

#include "config/Settings.h"
#include "console/OperatorIdentity.h"
#include "scheduler/PassSummary.h"
#include "scheduler/SchedulerConfig.h"
#include "scheduler/SchedulerEngine.h"
#include "scheduler/SchedulerThread.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

#include <utility>

namespace callops {

SchedulerPanel::SchedulerPanel(QWidget *parent)
    : QWidget(parent)
    , m_startStop(new QPushButton(this))
    , m_pause(new QPushButton(this))
    , m_runOnce(new QPushButton(tr("Run one pass now"), this))
    , m_batch(new QSpinBox(this))
    , m_interval(new QSpinBox(this))
    , m_summary(new QLabel(this))
    , m_log(new QListWidget(this))
{
    setObjectName(QStringLiteral("schedulerPanel"));
    m_startStop->setObjectName(QStringLiteral("schedulerStartStop"));
    m_pause->setObjectName(QStringLiteral("schedulerPause"));
    m_runOnce->setObjectName(QStringLiteral("schedulerRunOnce"));
    m_batch->setRange(1, 10000);
    m_batch->setValue(50);
    m_interval->setRange(1, 3600);
    m_interval->setValue(30);
    m_interval->setSuffix(tr(" s"));
    m_summary->setWordWrap(true);
    m_summary->setText(tr("No pass yet."));
    m_log->setObjectName(QStringLiteral("schedulerLog"));
    m_log->setUniformItemSizes(true);
    m_log->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_log->setAccessibleName(tr("Scheduler log"));
    // The log follows new lines unless the dispatcher has scrolled back to read. The range grows
    // after the items are laid out, later than they are added: follow it, not the additions.
    QScrollBar *scroll = m_log->verticalScrollBar();
    connect(scroll, &QScrollBar::valueChanged, this,
            [this, scroll](int value) { m_followLog = value == scroll->maximum(); });
    connect(scroll, &QScrollBar::rangeChanged, this, [this, scroll](int, int maximum) {
        if (m_followLog)
            scroll->setValue(maximum);
    });
    connect(m_log, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        const QString id = item->data(Qt::UserRole).toString();
        if (!id.isEmpty())
            emit callRequested(id);
    });

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_startStop);
    buttons->addWidget(m_pause);
    buttons->addWidget(m_runOnce);
    buttons->addStretch(1);
    auto *form = new QFormLayout;
    // The spin boxes keep their size; the summary takes the width.
    form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    m_summary->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    form->addRow(tr("&Batch size"), m_batch);
    form->addRow(tr("&Interval"), m_interval);
    form->addRow(tr("Last pass"), m_summary);
    m_note = new QLabel(tr("Off by default: a console only calls when started here. Servers run "
                           "callops --no-gui."),
                        this);
    m_note->setObjectName(QStringLiteral("schedulerNote"));
    m_note->setWordWrap(true);
    m_note->setEnabled(false);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_note);
    layout->addLayout(buttons);
    layout->addLayout(form);
    layout->addWidget(m_log, 1);

    connect(m_startStop, &QPushButton::clicked, this, [this] { isRunning() ? stopEngine() : startEngine(); });
    connect(m_pause, &QPushButton::clicked, this, [this] {
        if (!m_thread)
            return;
        SchedulerEngine *engine = m_thread->engine();
        const bool pause = !m_paused;
        QMetaObject::invokeMethod(engine, [engine, pause] { pause ? engine->pause() : engine->resume(); });
    });
    connect(m_runOnce, &QPushButton::clicked, this, [this] {
        if (!m_thread)
            return;
        SchedulerEngine *engine = m_thread->engine();
        QMetaObject::invokeMethod(engine, [engine] { engine->runPassNow(); });
    });
    connect(m_batch, &QSpinBox::valueChanged, this, [this](int value) {
        if (!m_thread)
            return;
        SchedulerEngine *engine = m_thread->engine();
        QMetaObject::invokeMethod(engine, [engine, value] { engine->setBatchSize(value); });
    });
    connect(m_interval, &QSpinBox::valueChanged, this, [this](int value) {
        if (!m_thread)
            return;
        SchedulerEngine *engine = m_thread->engine();
        QMetaObject::invokeMethod(engine, [engine, value] { engine->setIntervalSeconds(value); });
    });
    setState(tr("Scheduler: not running in this console"));
    updateButtons();
}

SchedulerPanel::~SchedulerPanel()
{
    if (m_thread)
        m_thread->stopAndWait(20000);
}

void SchedulerPanel::setSettings(const Settings *settings)
{
    m_settings = settings;
    updateButtons();
}

void SchedulerPanel::startEngine()
{
    if (m_thread || (!m_settings && !m_givenConfig))
        return;
    auto config = m_settings ? SchedulerConfig::fromSettings(*m_settings)
                             : Result<SchedulerConfig>(*m_givenConfig);
    if (!config) {
        log(tr("Cannot start the scheduler: %1").arg(config.error()));
        return;
    }
    config.value().batchSize = m_batch->value();
    config.value().intervalSeconds = m_interval->value();
    // From here on this desktop places real calls: the dispatcher says so once, knowingly.
    QMessageBox confirm(QMessageBox::Question, tr("Start the scheduler"),
                        tr("Start placing calls from this console?"), QMessageBox::Yes | QMessageBox::No,
                        this);
    confirm.setObjectName(QStringLiteral("startSchedulerConfirmation"));
    const QString pace = config->callsPerSecond > 0
            ? tr("at most %1 calls per second").arg(QLocale().toString(config->callsPerSecond))
            : tr("with no limit on calls per second");
    confirm.setInformativeText(
            m_elsewhere.isEmpty()
                    ? tr("Due calls are dialled through %1, %2, until you stop the scheduler or close "
                         "the console. Servers running the scheduler go on as before; a call is never "
                         "dialled twice.")
                              .arg(config->supabaseUrl.host(), pace)
                    : tr("Due calls are dialled through %1, %2, until you stop the scheduler or close "
                         "the console. Also running on this database: %3. They go on as before and share "
                         "the due calls with this one; a call is never dialled twice.")
                              .arg(config->supabaseUrl.host(), pace, m_elsewhere.join(QStringLiteral(", "))));
    confirm.setDefaultButton(QMessageBox::No);
    confirm.button(QMessageBox::Yes)->setText(tr("Start"));
    confirm.button(QMessageBox::No)->setText(tr("Cancel"));
    if (confirm.exec() != QMessageBox::Yes)
        return;
    startEngine(*config);
}

void SchedulerPanel::startEngine(const SchedulerConfig &config)
{
    if (m_thread)
        return;
    {
        const QSignalBlocker batchBlocker(m_batch);
        const QSignalBlocker intervalBlocker(m_interval);
        m_batch->setValue(config.batchSize);
        m_interval->setValue(config.intervalSeconds);
    }
    if (!m_settings)
        m_givenConfig = std::make_unique<SchedulerConfig>(config);
    SchedulerConfig engineConfig = config;
    // Other consoles show who runs it (callops_scheduler_presence).
    if (engineConfig.startedBy.isEmpty())
        engineConfig.startedBy = operatorIdentity::name();
    m_thread = std::make_unique<SchedulerThread>(engineConfig);
    SchedulerEngine *engine = m_thread->engine();
    m_connected = false;
    m_lastConnectionLine.clear();
    connect(engine, &SchedulerEngine::started, this, [this] {
        setState(runningStateText());
        log(tr("Scheduler started."));
    });
    connect(engine, &SchedulerEngine::pausedChanged, this, [this](bool paused) {
        m_paused = paused;
        setState(runningStateText());
        log(paused ? tr("Paused.") : tr("Resumed."));
        updateButtons();
    });
    // The reason itself comes through errorOccurred, into the log, as a refused key's does.
    connect(engine, &SchedulerEngine::heldChanged, this, [this](bool held, const QString &) {
        const bool released = m_held && !held;
        m_held = held;
        setState(runningStateText());
        if (released)
            log(tr("The guide's scheduler is no longer active: placing calls again."));
    });
    connect(engine, &SchedulerEngine::refusedChanged, this, [this](bool refused) {
        m_refused = refused;
        setState(runningStateText());
        if (!refused)
            log(tr("The call trigger accepts calls again: placing calls."));
    });
    // No state text of its own for a pass: at a pass every 2 s the status bar flickered between
    // "running" and "pass running"; the last pass's summary says what passes do.
    connect(engine, &SchedulerEngine::passFinished, this, &SchedulerPanel::passFinished);
    connect(engine, &SchedulerEngine::errorOccurred, this, [this](const QString &message) { log(message); });
    connect(engine, &SchedulerEngine::connectionChanged, this,
            [this](bool connected, const QString &message) {
                m_connected = connected;
                setState(runningStateText());
                // The engine tries again at 1, 2, 4 ... 30 s: a retry that fails the same way is
                // not news, and filled the log with a line every half minute.
                const QString line
                        = connected ? tr("Connected: %1").arg(message) : tr("Disconnected: %1").arg(message);
                if (std::exchange(m_lastConnectionLine, line) != line)
                    log(line);
            });
    connect(m_thread.get(), &SchedulerThread::stopped, this, [this] {
        log(tr("Scheduler stopped."));
        setState(tr("Scheduler: not running in this console"));
        // Not from inside the thread object's own signal.
        QTimer::singleShot(0, this, [this] {
            m_thread.reset();
            m_paused = false;
            m_held = false;
            m_refused = false;
            updateButtons();
        });
    });
    m_thread->start();
    setState(tr("Scheduler: starting"));
    updateButtons();
}

void SchedulerPanel::stopEngineAndWait(int timeoutMs)
{
    if (!m_thread)
        return;
    m_thread->stopAndWait(timeoutMs);
    m_thread.reset();
    m_paused = false;
    m_held = false;
    m_refused = false;
    updateButtons();
}

void SchedulerPanel::stopEngine()
{
    if (!m_thread)
        return;
    setState(tr("Scheduler: stopping"));
    log(tr("Stopping: calls in progress are allowed to finish."));
    m_thread->requestStop();
}

void SchedulerPanel::passFinished(const PassSummary &summary)
{
    const qint64 ms = summary.startedAt.msecsTo(summary.finishedAt);
    QString counts = tr("processed %1, calls started %2, rescued %3 (%4 ms)")
                             .arg(summary.processed)
                             .arg(summary.callsStarted)
                             .arg(summary.rescued)
                             .arg(ms);
    if (!summary.error.isEmpty())
        counts += u'\n' + tr("Error: %1").arg(summary.error);
    // The label says when the last pass ended; every log line starts with its own time already.
    m_summary->setText(tr("%1: %2").arg(clockText::of(summary.finishedAt), counts));
    // A pass that found nothing to do shows in the label only: at a pass every few seconds those
    // lines buried the ones that say something.
    if (summary.processed > 0 || summary.rescued > 0 || !summary.error.isEmpty())
        log(counts);
    for (const RowResult &row : summary.results) {
        QString name = m_callNamer ? m_callNamer(row.id) : QString();
        if (name.isEmpty())
            name = tr("call %1").arg(row.id.left(8));
        QString line = QStringLiteral("    %1 · %2").arg(PassResultText::describe(row.status), name);
        if (const QString detail = PassResultText::describeDetail(row.status, row.detail); !detail.isEmpty())
            line += QStringLiteral(" (%1)").arg(detail);
        log(line, row.id);
    }
    setState(runningStateText());
}

void SchedulerPanel::setNote(const QString &text)
{
    m_note->setText(text);
}

void SchedulerPanel::setCallNamer(std::function<QString(const QString &)> namer)
{
    m_callNamer = std::move(namer);
}

void SchedulerPanel::log(const QString &line, const QString &callId)
{
    constexpr int kMaxLines = 2000;
    auto *item = new QListWidgetItem(clockText::of(QDateTime::currentDateTime()) + u' ' + line);
    if (!callId.isEmpty()) {
        item->setData(Qt::UserRole, callId);
        item->setToolTip(tr("Double-click or press Enter to show this call (%1).").arg(callId));
    }
    m_log->addItem(item);
    while (m_log->count() > kMaxLines)
        delete m_log->takeItem(0);
}

void SchedulerPanel::setState(const QString &text)
{
    m_stateText = text;
    emit stateChanged(text);
}

QString SchedulerPanel::runningStateText() const
{
    if (!m_connected)
        return tr("Scheduler: waiting for the database (see the log)");
    if (m_held)
        return tr("Scheduler: not calling while the guide's scheduler (pg_cron) is active");
    if (m_refused)
        return tr("Scheduler: not calling, the call trigger refuses the requests (see the log)");
    return m_paused ? tr("Scheduler: paused") : tr("Scheduler: running");
}

void SchedulerPanel::focusFirstControl()
{
    QWidget *first = m_startStop->isEnabled() ? static_cast<QWidget *>(m_startStop) : m_log;
    first->setFocus(Qt::ShortcutFocusReason);
}

void SchedulerPanel::updateButtons()
{
    m_startStop->setText(isRunning() ? tr("Stop") : tr("Start"));
    m_startStop->setEnabled(isRunning() || m_settings || m_givenConfig);
    m_pause->setText(m_paused ? tr("Resume") : tr("Pause"));
    m_pause->setEnabled(isRunning());
    m_runOnce->setEnabled(isRunning());
}

} // namespace callops
