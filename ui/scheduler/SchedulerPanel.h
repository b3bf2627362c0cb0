#pragma once

#include <QStringList>
#include <QWidget>

#include <functional>
#include <memory>

class QLabel;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace callops {

class SchedulerThread;
class Settings;
struct PassSummary;
struct SchedulerConfig;

// Runs the scheduler engine inside the console when asked (off by default, so a console never
// competes with the servers unless someone starts it here): start / stop, pause, one pass now,
// batch size and interval, the last pass's summary and a log.
class SchedulerPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SchedulerPanel)

public:
    explicit SchedulerPanel(QWidget *parent = nullptr);
    ~SchedulerPanel() override;

    // Where the engine's configuration comes from (database URL, Supabase URL and key, ...).
    void setSettings(const Settings *settings);
    bool isRunning() const { return m_thread != nullptr; }
    // Runs an engine with this configuration (the demo's: its own database and simulator), as
    // if Start had been pressed; its batch size and interval show in the panel.
    void startEngine(const SchedulerConfig &config);
    // Stops the engine and waits (its stopped() is queued: this spins an event loop). The window
    // calls it while it is still whole; from the panel's own destructor, events delivered by that
    // loop would reach a half-destroyed window.
    void stopEngineAndWait(int timeoutMs);
    QString stateText() const { return m_stateText; }
    // Puts the focus on the panel's first control: Start (Stop) when it can be pressed, else the log.
    void focusFirstControl();
    // Names a call for the log ("EX-1003 — Jane Roe") from what the window has loaded; an empty
    // name leaves the call's short id.
    void setCallNamer(std::function<QString(const QString &callId)> namer);
    // Replaces the note above the buttons (the demo's says its calls are simulated).
    void setNote(const QString &text);
    // The schedulers running elsewhere on the database ("srv-1"), for Start's question to name.
    void setSchedulersElsewhere(const QStringList &where) { m_elsewhere = where; }

signals:
    void stateChanged(const QString &text);
    // A call's line in the log was activated (double-click, Enter): show that call.
    void callRequested(const QString &callId);

private:
    void startEngine();
    void stopEngine();
    void passFinished(const PassSummary &summary);
    void log(const QString &line, const QString &callId = {});
    void setState(const QString &text);
    // Running, paused or held, as the engine last said.
    QString runningStateText() const;
    void updateButtons();

    const Settings *m_settings = nullptr;
    // The configuration given to startEngine(config) (the demo's), so that Start after Stop runs
    // it again when there are no settings to read one from.
    std::unique_ptr<SchedulerConfig> m_givenConfig;
    std::unique_ptr<SchedulerThread> m_thread;
    bool m_paused = false;
    bool m_held = false; // the engine holds calls (heldChanged): the guide's scheduler is active
    bool m_refused = false; // the call trigger refuses the requests (refusedChanged)
    bool m_connected = false; // the engine has its database connection (connectionChanged)
    QString m_stateText;
    QString m_lastConnectionLine; // the last connection change logged, said once per change
    QPushButton *m_startStop = nullptr;
    QPushButton *m_pause = nullptr;
    QPushButton *m_runOnce = nullptr;
    QSpinBox *m_batch = nullptr;
    QSpinBox *m_interval = nullptr;
    QLabel *m_note = nullptr;
    QLabel *m_summary = nullptr;
    QListWidget *m_log = nullptr;
    bool m_followLog = true; // the log is scrolled to its end: keep it there
    std::function<QString(const QString &)> m_callNamer;
    QStringList m_elsewhere;
};

} // namespace callops
