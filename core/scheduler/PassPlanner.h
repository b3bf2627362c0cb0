#pragma once

#include "ClaimedCall.h"
#include "Decision.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QStringList>

namespace callops {

class CallingWindow;
class PhoneNumberNormalizer;
class TimeZoneResolver;

// A classification found for a number.
struct ClassificationMatch
{
    QString id;
    QString type;
};

// Decides, for the rows one pass claimed, which event of the transition table applies to each.
// Pure: it reads the claimed rows and what the pass looked up in the database (classifications,
// numbers with a call in flight) and touches nothing, so every rule is testable without a server.
class PassPlanner
{
public:
    struct Config
    {
        int ivrWaitSeconds = 30;
        int busyRetrySeconds = 30; // a number with a call in flight is looked at again after this
        int maxSaneRetries = 1000; // retry counts beyond this are someone's mistake, not a plan
    };

    PassPlanner(Config config, const PhoneNumberNormalizer &normalizer, const TimeZoneResolver &zones,
                const CallingWindow &window);

    // Fills e164 and region of rows that lack them; an unparsable number gets e164 '' and keeps
    // the reason in `errors` by row id.
    void normalise(QList<ClaimedCall> &rows, QHash<QString, QString> &errors) const;
    // Numbers whose classification the pass must look up (rows in new / checking_classification).
    static QStringList numbersToLookUp(const QList<ClaimedCall> &rows);
    // Numbers of rows that may be called, to ask which are busy.
    static QStringList numbersToCall(const QList<ClaimedCall> &rows);

    QList<Decision> decide(const QList<ClaimedCall> &rows, const QHash<QString, QString> &normaliseErrors,
                           const QHash<QString, ClassificationMatch> &classifications,
                           const QHash<QString, WorkflowState> &busyNumbers, const QDateTime &now) const;

private:
    Decision decideOne(const ClaimedCall &row, const QHash<QString, QString> &normaliseErrors,
                       const QHash<QString, ClassificationMatch> &classifications,
                       const QHash<QString, WorkflowState> &busyNumbers, const QDateTime &now) const;
    void decideCall(const ClaimedCall &row, const QHash<QString, WorkflowState> &busyNumbers,
                    const QDateTime &now, Decision &decision) const;

    Config m_config;
    const PhoneNumberNormalizer &m_normalizer;
    const TimeZoneResolver &m_zones;
    const CallingWindow &m_window;
};

} // namespace callops
