#include "StuckRules.h"

#include "config/Settings.h"

#include <QSettings>
#include <QStringList>

namespace callops {
namespace {

const QString kGroup = QStringLiteral("stuck");

} // namespace

StuckRules::StuckRules()
{
    for (WorkflowState state : workflow::knownStates()) {
        if (workflow::isTerminal(state))
            continue;
        m_seconds.insert(state, workflow::isInFlight(state) ? 10 * 60 : 60 * 60);
    }
}

StuckRules StuckRules::defaults()
{
    return StuckRules();
}

StuckRules StuckRules::fromSettings(const Settings &settings)
{
    StuckRules rules;
    QSettings file(settings.filePath(), QSettings::IniFormat);
    file.beginGroup(kGroup);
    for (WorkflowState state : workflow::knownStates()) {
        if (workflow::isTerminal(state))
            continue;
        bool ok = false;
        const int seconds = file.value(workflow::stateName(state)).toInt(&ok);
        if (ok && seconds > 0)
            rules.setThresholdSeconds(state, seconds);
    }
    return rules;
}

bool StuckRules::save(const Settings &settings) const
{
    QSettings file(settings.filePath(), QSettings::IniFormat);
    file.beginGroup(kGroup);
    for (auto it = m_seconds.cbegin(); it != m_seconds.cend(); ++it)
        file.setValue(workflow::stateName(it.key()), it.value());
    file.endGroup();
    file.sync();
    return file.status() == QSettings::NoError;
}

int StuckRules::thresholdSeconds(WorkflowState state) const
{
    return m_seconds.value(state, 0);
}

void StuckRules::setThresholdSeconds(WorkflowState state, int seconds)
{
    if (workflow::isTerminal(state) || state == WorkflowState::Unknown || seconds <= 0)
        return;
    m_seconds.insert(state, seconds);
}

QString StuckRules::statesArrayLiteral() const
{
    QStringList names;
    for (auto it = m_seconds.cbegin(); it != m_seconds.cend(); ++it)
        names.append(workflow::stateName(it.key()));
    return u'{' + names.join(u',') + u'}';
}

QString StuckRules::secondsArrayLiteral() const
{
    QStringList values;
    for (auto it = m_seconds.cbegin(); it != m_seconds.cend(); ++it)
        values.append(QString::number(it.value()));
    return u'{' + values.join(u',') + u'}';
}

} // namespace callops
