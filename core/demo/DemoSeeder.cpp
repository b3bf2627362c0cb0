#include "DemoSeeder.h"

#include "db/DatabaseConnection.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimeZone>
#include <QUuid>

#include <optional>
#include <vector>

Q_LOGGING_CATEGORY(lcDemoSeed, "callops.demo.seed")

namespace callops {
namespace {

// Text::tr, not a free tr(): lupdate files a free function's strings under the enclosing
// namespace, so they would never match the context they are looked up in.
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(DemoSeeder)
};

// A clinic: where it is, which zone it keeps its hours in, and the block its phone numbers come
// from (national significant number without the last `freeDigits` digits).
struct Clinic
{
    const char *name;
    const char *zone;
    bool zoneStored; // clinic_timezone filled in; else the scheduler derives or assumes it
    const char *country; // "US", "GB", "MX", "ES"
    const char *prefix;
    int freeDigits;
    int weight;
};

// Number blocks were checked with libphonenumber (IsValidNumber); the London one is Ofcom's
// drama range. tests/demo/TestDemoSeeder checks every generated number again.
const Clinic kClinics[] = {
        {"Midtown Occupational Health", "America/New_York", true, "US", "212736", 4, 12},
        {"Back Bay Occupational Care", "America/New_York", false, "US", "617742", 4, 8},
        {"Peachtree Pre-Employment Clinic", "America/New_York", true, "US", "404523", 4, 8},
        {"Biscayne Health Screening", "America/New_York", false, "US", "305579", 4, 6},
        {"Capitol Workforce Health", "America/New_York", true, "US", "202783", 4, 6},
        {"Loop Employee Health Center", "America/Chicago", true, "US", "312782", 4, 10},
        {"Gulf Coast Industrial Medicine", "America/Chicago", false, "US", "713652", 4, 8},
        {"North Star Occupational Clinic", "America/Chicago", true, "US", "612338", 4, 6},
        {"Front Range Occupational Medicine", "America/Denver", true, "US", "303893", 4, 6},
        {"Desert Sky Worksite Clinic", "America/Phoenix", false, "US", "602254", 4, 6},
        {"Harbor Occupational Health", "America/Los_Angeles", true, "US", "213687", 4, 8},
        {"Bayview Employer Services", "America/Los_Angeles", false, "US", "415391", 4, 6},
        {"Puget Sound Work Health", "America/Los_Angeles", true, "US", "206622", 4, 6},
        {"Midnight Sun Medical", "America/Anchorage", true, "US", "907272", 4, 3},
        {"Aloha Employee Health", "Pacific/Honolulu", false, "US", "808536", 4, 3},
        {"Canary Wharf Occupational Health", "Europe/London", false, "GB", "2079460", 3, 4},
        {"Clinica Laboral Reforma", "America/Mexico_City", true, "MX", "555208", 4, 4},
        {"Centro Medico Laboral Castellana", "Europe/Madrid", true, "ES", "91523", 4, 4},
};

const char *const kFirstNames[] = {
        "Avery",  "Jordan", "Mateo",  "Priya",   "Noah",   "Chloe", "Darnell", "Mei",   "Lucas",  "Amara",
        "Ethan",  "Sofia",  "Malik",  "Hannah",  "Diego",  "Grace", "Tariq",   "Elena", "Owen",   "Fatima",
        "Caleb",  "Ingrid", "Rafael", "Naomi",   "Wesley", "Yuki",  "Javier",  "Leah",  "Samuel", "Aaliyah",
        "Connor", "Isabel", "Kofi",   "Marisol", "Declan", "Anika", "Tobias",  "Lucia", "Marcus", "Zoe",
};
const char *const kLastNames[] = {
        "Alvarez",  "Brennan",    "Castillo",  "Delacroix",  "Eastwood",  "Fernandes", "Gallagher", "Huang",
        "Ibarra",   "Jablonski",  "Kowalczyk", "Lindqvist",  "Moreau",    "Nakamura",  "Okafor",    "Petrov",
        "Quintero", "Ramanathan", "Sorensen",  "Thibodeaux", "Underwood", "Valdez",    "Whitfield", "Xu",
        "Yilmaz",   "Zamora",     "Abernathy", "Baptiste",   "Costa",     "Dunmore",   "Esposito",  "Farrow",
};

const char *const kTaskFailures[] = {
        "Task call failed: voicemail reached",
        "Task call failed: line busy",
        "Task call failed: no answer after 45 s",
        "Task call failed: transferred to the wrong department",
        "Task call failed: agent could not confirm the appointment",
        "Task call failed: caller hung up during verification",
};
const char *const kClassificationFailures[] = {
        "Classification call failed: no answer",
        "Classification call failed: line busy",
        "Classification call failed: call rejected by the carrier",
};

const QString kScheduler = QStringLiteral("scheduler@ops-01");
const QString kDeepgram = QStringLiteral("deepgram-server");
const QString kVapi = QStringLiteral("vapi-post-call");

struct PhoneNumber
{
    QString e164; // empty for a malformed number
    QString country;
    QString national; // national significant number, digits only
};

struct Classification
{
    QString id;
    QString phoneNumber;
    QString type;
    bool active = true;
    QDateTime expiresAt;
    QDateTime createdAt;
    QJsonObject details;
};

struct Step
{
    QString to;
    QString actor;
    QString reason;
    QString event;
};

struct Call
{
    QString id;
    QString examId;
    QString employeeName;
    QDate dob;
    QString phone;
    PhoneNumber number;
    const Clinic *clinic = nullptr;
    QDateTime appointment;
    QString classificationId;
    int maxRetries = 3;
    QList<Step> path;
    QDateTime createdAt;
    QDateTime stateChangedAt;
    std::optional<QDateTime> nextActionAt;
};

QVariant nullable(const QDateTime &value)
{
    return value.isValid() ? QVariant(value) : QVariant(QMetaType::fromType<QDateTime>());
}

QVariant nullable(const QString &value)
{
    return value.isNull() ? QVariant(QMetaType::fromType<QString>()) : QVariant(value);
}

QString json(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

// Builds the calls; everything random comes from one seeded generator.
class Generator
{
public:
    Generator(quint32 seed, const QDateTime &now)
        : m_rng(seed)
        , m_now(now)
    { }

    void generate();

    std::vector<Call> calls;
    std::vector<Classification> classifications;

private:
    int bounded(int low, int high) { return low + int(m_rng.bounded(quint32(high - low + 1))); } // inclusive
    bool chance(int percent) { return int(m_rng.bounded(100u)) < percent; }
    template<typename T, size_t N> const T &pick(const T (&items)[N])
    {
        return items[m_rng.bounded(quint32(N))];
    }
    QString uuid();
    QDateTime secondsAgo(int low, int high) { return m_now.addSecs(-bounded(low, high)); }

    const Clinic &pickClinic();
    PhoneNumber newNumber(const Clinic &clinic);
    QString format(const PhoneNumber &number);
    PhoneNumber sharedLine(const Clinic &clinic);
    const Classification *activeClassification(const QString &e164) const;
    const Classification &classify(const PhoneNumber &number, const QString &type, const QDateTime &at);
    void classifyInAdvance(const PhoneNumber &number, bool expired);

    Call makeCall(const Clinic &clinic);
    void prefix(Call &call, bool allowHuman);
    void toCalling(Call &call);
    void add(Call &call, const QString &to, const QString &actor, const QString &event,
             const QString &reason = {});
    QString current(const Call &call) const
    {
        return call.path.isEmpty() ? QString() : call.path.constLast().to;
    }

    QRandomGenerator m_rng;
    QDateTime m_now;
    QSet<QString> m_usedNumbers;
    QMap<const Clinic *, QList<PhoneNumber>> m_lines;
    QMap<QString, QString> m_pendingType; // classification type the number's call will find
    int m_examSerial = 418000;
};

QString Generator::uuid()
{
    // Version 4 from our generator, so one seed gives the same ids.
    quint32 words[4];
    m_rng.fillRange(words);
    QByteArray bytes(reinterpret_cast<const char *>(words), sizeof words);
    bytes[6] = char((bytes[6] & 0x0f) | 0x40);
    bytes[8] = char((bytes[8] & 0x3f) | 0x80);
    return QUuid::fromRfc4122(bytes).toString(QUuid::WithoutBraces);
}

const Clinic &Generator::pickClinic()
{
    int total = 0;
    for (const Clinic &clinic : kClinics)
        total += clinic.weight;
    int roll = bounded(0, total - 1);
    for (const Clinic &clinic : kClinics) {
        if (roll < clinic.weight)
            return clinic;
        roll -= clinic.weight;
    }
    return kClinics[0];
}

PhoneNumber Generator::newNumber(const Clinic &clinic)
{
    static const QMap<QString, QString> countryCodes{{QStringLiteral("US"), QStringLiteral("1")},
                                                     {QStringLiteral("GB"), QStringLiteral("44")},
                                                     {QStringLiteral("MX"), QStringLiteral("52")},
                                                     {QStringLiteral("ES"), QStringLiteral("34")}};
    for (;;) {
        QString national = QString::fromLatin1(clinic.prefix);
        for (int i = 0; i < clinic.freeDigits; ++i)
            national.append(QChar(u'0' + bounded(0, 9)));
        const QString country = QString::fromLatin1(clinic.country);
        PhoneNumber number{u'+' + countryCodes.value(country) + national, country, national};
        if (!m_usedNumbers.contains(number.e164)) {
            m_usedNumbers.insert(number.e164);
            return number;
        }
    }
}

// The number as someone typed it: several formats for the same line.
QString Generator::format(const PhoneNumber &n)
{
    const QString &d = n.national;
    if (n.country == u"US") {
        switch (bounded(0, 5)) {
        case 0:
            return QStringLiteral("(%1) %2-%3").arg(d.left(3), d.mid(3, 3), d.mid(6));
        case 1:
            return QStringLiteral("%1-%2-%3").arg(d.left(3), d.mid(3, 3), d.mid(6));
        case 2:
            return QStringLiteral("+1 %1 %2 %3").arg(d.left(3), d.mid(3, 3), d.mid(6));
        case 3:
            return QStringLiteral("%1.%2.%3").arg(d.left(3), d.mid(3, 3), d.mid(6));
        case 4:
            return d;
        default:
            return n.e164;
        }
    }
    if (chance(30))
        return n.e164;
    if (n.country == u"GB")
        return QStringLiteral("+44 %1 %2 %3").arg(d.left(2), d.mid(2, 4), d.mid(6));
    if (n.country == u"MX")
        return QStringLiteral("+52 %1 %2 %3").arg(d.left(2), d.mid(2, 4), d.mid(6));
    return QStringLiteral("+34 %1 %2 %3 %4").arg(d.left(3), d.mid(3, 2), d.mid(5, 2), d.mid(7));
}

PhoneNumber Generator::sharedLine(const Clinic &clinic)
{
    QList<PhoneNumber> &lines = m_lines[&clinic];
    if (lines.isEmpty()) {
        // Main line: classified a while ago; second line: classification expired; third: never.
        for (int i = 0; i < 3; ++i)
            lines.append(newNumber(clinic));
        classifyInAdvance(lines[0], false);
        classifyInAdvance(lines[1], true);
    }
    return lines[bounded(0, int(lines.size()) - 1)];
}

const Classification *Generator::activeClassification(const QString &e164) const
{
    const Classification *newest = nullptr;
    for (const Classification &c : classifications) {
        const bool matches
                = c.phoneNumber == e164 || c.details.value(QStringLiteral("e164")).toString() == e164;
        if (matches && c.active && c.expiresAt > m_now && (!newest || c.createdAt > newest->createdAt))
            newest = &c;
    }
    return newest;
}

const Classification &Generator::classify(const PhoneNumber &number, const QString &type, const QDateTime &at)
{
    Classification c;
    c.id = uuid();
    // Most writers store E.164, some stored what the call had: the scheduler normalises both.
    c.phoneNumber = chance(75) ? number.e164 : format(number);
    c.type = type;
    c.createdAt = at;
    c.expiresAt = at.addDays(30);
    c.details = QJsonObject{{QStringLiteral("e164"), number.e164},
                            {QStringLiteral("menu_detected"), type != u"human"},
                            {QStringLiteral("confidence"), double(bounded(80, 99)) / 100.0}};
    if (type != u"human") {
        c.details.insert(QStringLiteral("keypress"), QString::number(bounded(1, 4)));
        c.details.insert(
                QStringLiteral("transcript_excerpt"),
                QStringLiteral("Thank you for calling. For scheduling, press %1.").arg(bounded(1, 4)));
    }
    classifications.push_back(c);
    return classifications.back();
}

void Generator::classifyInAdvance(const PhoneNumber &number, bool expired)
{
    static const char *const types[] = {"human", "human", "ivr_only", "ivr_then_human"};
    const QString type = QString::fromLatin1(pick(types));
    if (expired) {
        Classification &c
                = const_cast<Classification &>(classify(number, type, m_now.addDays(-bounded(35, 60))));
        c.active = chance(50);
    } else {
        // Two active classifications for one number happen (the guide's .single() broke on them):
        // the newest wins.
        if (chance(15))
            classify(number, QStringLiteral("ivr_only"), m_now.addDays(-bounded(20, 25)));
        classify(number, type, m_now.addDays(-bounded(1, 12)));
    }
}

void Generator::add(Call &call, const QString &to, const QString &actor, const QString &event,
                    const QString &reason)
{
    call.path.append(Step{to, actor, reason, event});
}

// new → lookup → (classification call) → ready_to_call, or calling when a person answered the
// classification call.
void Generator::prefix(Call &call, bool allowHuman)
{
    add(call, QStringLiteral("new"), QStringLiteral("intake-api"), QStringLiteral("created"));
    add(call, QStringLiteral("checking_classification"), kScheduler, QStringLiteral("lookup"));
    if (const Classification *found = activeClassification(call.number.e164)) {
        call.classificationId = found->id;
        add(call, QStringLiteral("ready_to_call"), kScheduler, QStringLiteral("classification_found"));
        return;
    }
    add(call, QStringLiteral("needs_classification"), kScheduler, QStringLiteral("no_classification"));
    if (chance(20)) {
        add(call, QStringLiteral("classifying"), kScheduler, QStringLiteral("classification_call_started"));
        add(call, QStringLiteral("needs_classification"), kDeepgram,
            QStringLiteral("classification_call_failed"), QString::fromLatin1(pick(kClassificationFailures)));
    }
    add(call, QStringLiteral("classifying"), kScheduler, QStringLiteral("classification_call_started"));
    const bool human = allowHuman && chance(35);
    const QString type = human ? QStringLiteral("human")
                               : (chance(60) ? QStringLiteral("ivr_only") : QStringLiteral("ivr_then_human"));
    call.classificationId = classify(call.number, type, call.createdAt).id;
    if (human) {
        add(call, QStringLiteral("calling"), kDeepgram, QStringLiteral("classified_human"));
        return;
    }
    add(call, QStringLiteral("classification_pending"), kDeepgram, QStringLiteral("classified_") + type);
    add(call, QStringLiteral("ready_to_call"), kScheduler, QStringLiteral("ivr_wait_elapsed"));
}

void Generator::toCalling(Call &call)
{
    if (current(call) == u"ready_to_call")
        add(call, QStringLiteral("calling"), kScheduler, QStringLiteral("task_call_started"));
}

Call Generator::makeCall(const Clinic &clinic)
{
    Call call;
    call.id = uuid();
    call.examId = QStringLiteral("EXM-%1").arg(m_examSerial += bounded(3, 41));
    call.employeeName = QString::fromLatin1(pick(kFirstNames)) + u' ' + QString::fromLatin1(pick(kLastNames));
    call.dob = QDate(bounded(1958, 2004), bounded(1, 12), bounded(1, 28));
    call.clinic = &clinic;
    const QTimeZone zone(clinic.zone);
    const QDate day = m_now.toTimeZone(zone).date().addDays(bounded(1, 14));
    call.appointment = QDateTime(day, QTime(bounded(8, 15), bounded(0, 1) * 30), zone).toUTC();
    const int roll = bounded(0, 99);
    call.maxRetries = roll < 40 ? 1 : (roll < 80 ? 2 : 3);
    return call;
}

void Generator::generate()
{
    struct Plan
    {
        const char *kind;
        int count;
    };
    const Plan plans[] = {
            {"new", 95},
            {"new-malformed", 5},
            {"checking_classification", 4},
            {"needs_classification", 10},
            {"classifying", 3},
            {"classifying-stuck", 2},
            {"classification_pending", 6},
            {"ready_to_call", 15},
            {"calling", 2},
            {"calling-stuck", 3},
            {"retry_pending-exhausted", 6},
            {"retry_pending-due", 6},
            {"retry_pending-later", 6},
            {"completed", 22},
            {"failed-max-retries", 5},
            {"failed-invalid-number", 2},
            {"failed-http", 1},
            {"failed-manual", 2},
            {"classification_failed", 5},
    };
    static const char *const malformed[] = {"555-12", "n/a", "12345", "", "TBD", "(212) 555-01", "unknown"};
    int malformedIndex = 0;

    for (const Plan &plan : plans) {
        const QString kind = QString::fromLatin1(plan.kind);
        for (int i = 0; i < plan.count; ++i) {
            const Clinic &clinic = pickClinic();
            Call call = makeCall(clinic);
            const bool needsFreshNumber = kind.startsWith(u"needs") || kind.startsWith(u"classif")
                    || kind.startsWith(u"checking");
            if (kind == u"new-malformed" || kind == u"failed-invalid-number") {
                call.phone = QString::fromLatin1(malformed[malformedIndex++ % std::size(malformed)]);
            } else {
                if (needsFreshNumber || chance(40)) {
                    call.number = newNumber(clinic);
                    if (!needsFreshNumber && chance(35))
                        classifyInAdvance(call.number, chance(20));
                } else {
                    call.number = sharedLine(clinic);
                }
                call.phone = format(call.number);
            }

            const bool terminal = kind.startsWith(u"completed") || kind.startsWith(u"failed")
                    || kind.startsWith(u"classification_failed");
            if (kind.startsWith(u"new")) {
                call.createdAt = secondsAgo(10, 20 * 60);
            } else if (terminal) {
                call.createdAt = m_now.addSecs(-bounded(26, 6 * 24) * 3600);
            } else {
                call.createdAt = secondsAgo(30 * 60, 8 * 3600);
            }

            if (kind.startsWith(u"new")) {
                add(call, QStringLiteral("new"), QStringLiteral("intake-api"), QStringLiteral("created"));
                call.stateChangedAt = call.createdAt;
                call.nextActionAt = secondsAgo(0, 90);
            } else if (kind == u"checking_classification") {
                add(call, QStringLiteral("new"), QStringLiteral("intake-api"), QStringLiteral("created"));
                add(call, QStringLiteral("checking_classification"), kScheduler, QStringLiteral("lookup"));
                call.stateChangedAt = secondsAgo(5, 60);
                call.nextActionAt = call.stateChangedAt;
            } else if (kind == u"needs_classification" || kind.startsWith(u"classifying")
                       || kind == u"classification_failed" || kind == u"classification_pending") {
                add(call, QStringLiteral("new"), QStringLiteral("intake-api"), QStringLiteral("created"));
                add(call, QStringLiteral("checking_classification"), kScheduler, QStringLiteral("lookup"));
                add(call, QStringLiteral("needs_classification"), kScheduler,
                    QStringLiteral("no_classification"));
                const int failures
                        = kind == u"classification_failed" ? call.maxRetries - 1 : (chance(30) ? 1 : 0);
                for (int f = 0; f < failures; ++f) {
                    add(call, QStringLiteral("classifying"), kScheduler,
                        QStringLiteral("classification_call_started"));
                    add(call, QStringLiteral("needs_classification"), kDeepgram,
                        QStringLiteral("classification_call_failed"),
                        QString::fromLatin1(pick(kClassificationFailures)));
                }
                if (kind != u"needs_classification")
                    add(call, QStringLiteral("classifying"), kScheduler,
                        QStringLiteral("classification_call_started"));
                call.stateChangedAt = secondsAgo(5, 90);
                call.nextActionAt = call.stateChangedAt;
                if (kind == u"classifying-stuck")
                    call.stateChangedAt = secondsAgo(20 * 60, 50 * 60);
                if (kind == u"classification_pending") {
                    const QString type
                            = chance(60) ? QStringLiteral("ivr_only") : QStringLiteral("ivr_then_human");
                    call.stateChangedAt = secondsAgo(5, 25);
                    call.classificationId = classify(call.number, type, call.stateChangedAt).id;
                    add(call, QStringLiteral("classification_pending"), kDeepgram,
                        QStringLiteral("classified_") + type);
                    call.nextActionAt = call.stateChangedAt.addSecs(30);
                }
                if (kind == u"classification_failed") {
                    const QString reason = QString::fromLatin1(pick(kClassificationFailures));
                    add(call, QStringLiteral("classification_failed"), kDeepgram,
                        QStringLiteral("classification_attempts_exhausted"),
                        Text::tr("%1 (attempt %2 of %2)").arg(reason).arg(call.maxRetries));
                    call.stateChangedAt = call.createdAt.addSecs(bounded(2, 20) * 3600);
                }
            } else if (kind == u"failed-invalid-number") {
                add(call, QStringLiteral("new"), QStringLiteral("intake-api"), QStringLiteral("created"));
                add(call, QStringLiteral("failed"), kScheduler, QStringLiteral("invalid_phone_number"),
                    Text::tr("Invalid phone number \"%1\": not a number that can be dialled")
                            .arg(call.phone));
                call.stateChangedAt = call.createdAt.addSecs(bounded(10, 300));
            } else {
                // Everything that reaches the task call.
                prefix(call, kind != u"ready_to_call");
                int retries = 0;
                if (kind == u"retry_pending-exhausted" || kind == u"failed-max-retries")
                    retries = call.maxRetries;
                else if (kind.startsWith(u"retry_pending"))
                    retries = bounded(0, call.maxRetries - 1);
                else if (kind == u"completed" || kind == u"ready_to_call")
                    retries = bounded(0, call.maxRetries - 1);
                const bool endsWaiting = kind.startsWith(u"retry_pending") || kind == u"failed-max-retries";
                for (int r = 0; r < retries; ++r) {
                    toCalling(call);
                    add(call, QStringLiteral("retry_pending"), kVapi, QStringLiteral("task_failed"),
                        QString::fromLatin1(pick(kTaskFailures)));
                    add(call, QStringLiteral("ready_to_call"), kScheduler, QStringLiteral("retry_scheduled"));
                }
                if (kind == u"ready_to_call") {
                    if (current(call) == u"calling") {
                        add(call, QStringLiteral("retry_pending"), kVapi, QStringLiteral("task_failed"),
                            QString::fromLatin1(pick(kTaskFailures)));
                        add(call, QStringLiteral("ready_to_call"), kScheduler,
                            QStringLiteral("retry_scheduled"));
                    }
                    call.stateChangedAt = secondsAgo(5, 120);
                    call.nextActionAt = call.stateChangedAt;
                } else if (kind.startsWith(u"calling")) {
                    toCalling(call);
                    call.stateChangedAt
                            = kind == u"calling-stuck" ? secondsAgo(20 * 60, 50 * 60) : secondsAgo(5, 20);
                    call.nextActionAt = call.stateChangedAt;
                } else if (endsWaiting) {
                    toCalling(call);
                    add(call, QStringLiteral("retry_pending"), kVapi, QStringLiteral("task_failed"),
                        QString::fromLatin1(pick(kTaskFailures)));
                    if (kind == u"failed-max-retries") {
                        add(call, QStringLiteral("failed"), kScheduler,
                            QStringLiteral("max_retries_exceeded"), QStringLiteral("Max retries exceeded"));
                        call.stateChangedAt = call.createdAt.addSecs(bounded(4, 24) * 3600);
                    } else {
                        call.stateChangedAt = secondsAgo(60, 30 * 60);
                        call.nextActionAt = kind == u"retry_pending-later" ? m_now.addSecs(bounded(60, 300))
                                                                           : secondsAgo(0, 60);
                    }
                } else if (kind == u"completed") {
                    toCalling(call);
                    add(call, QStringLiteral("completed"), kVapi, QStringLiteral("task_succeeded"));
                    call.stateChangedAt = call.createdAt.addSecs(bounded(1, 20) * 3600);
                } else if (kind == u"failed-http") {
                    toCalling(call);
                    add(call, QStringLiteral("failed"), kScheduler, QStringLiteral("call_trigger_refused"),
                        QStringLiteral("pre-classify-call answered 400 Bad Request: number rejected by the "
                                       "carrier (permanent)"));
                    call.stateChangedAt = call.createdAt.addSecs(bounded(1, 10) * 3600);
                } else if (kind == u"failed-manual") {
                    toCalling(call);
                    add(call, QStringLiteral("retry_pending"), kScheduler, QStringLiteral("inflight_timeout"),
                        QStringLiteral("in-flight timeout"));
                    add(call, QStringLiteral("failed"), QStringLiteral("dispatcher:mgarcia"),
                        QStringLiteral("manual_mark_failed"),
                        QStringLiteral("Clinic closed permanently (confirmed with the employer)"));
                    call.stateChangedAt = call.createdAt.addSecs(bounded(2, 30) * 3600);
                }
            }
            if (call.stateChangedAt > m_now)
                call.stateChangedAt = m_now.addSecs(-bounded(600, 3600));
            if (call.path.size() == 1)
                call.createdAt = call.stateChangedAt;
            calls.push_back(std::move(call));
        }
    }
}

} // namespace

DemoSeeder::DemoSeeder(QSqlDatabase db, quint32 seed)
    : m_db(std::move(db))
    , m_seed(seed)
{ }

QString DemoSeeder::actor()
{
    return QStringLiteral("demo-seeder");
}

Status DemoSeeder::commit()
{
    if (m_db.commit())
        return Status::success();
    const QString message = DatabaseConnection::describeError(m_db.lastError());
    m_db.rollback();
    return Error{Text::tr("Seeding the demo database failed (commit): %1").arg(message)};
}

Result<int> DemoSeeder::topUpIfAllDone()
{
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT count(*) FROM pending_calls WHERE workflow_state IS NULL OR "
                                   "workflow_state NOT IN ('completed', 'failed', 'classification_failed')"))
        || !query.next())
        return Error{DatabaseConnection::describeError(query.lastError())};
    if (query.value(0).toLongLong() > 0)
        return 0;
    // New exams for employees of the earlier run, at the same clinics and numbers, written as any
    // other writer would (the triggers on: each gets its "created as New" entry, by actor()).
    query.prepare(QStringLiteral(
            "INSERT INTO pending_calls (exam_id, employee_name, employee_dob, phone, clinic_name, "
            "clinic_timezone, appointment_time, max_retries, workflow_state) "
            "SELECT 'EXM-' || (serial.last + 7 * row_number() OVER (ORDER BY c.id)), c.employee_name, "
            "       c.employee_dob, c.phone, c.clinic_name, c.clinic_timezone, "
            "       date_trunc('day', now()) + make_interval(days => 1 + (row_number() OVER (ORDER BY c.id) "
            "       % 14)::int, hours => 13 + (row_number() OVER (ORDER BY c.id) % 8)::int), "
            "       c.max_retries, 'new' "
            "FROM (SELECT * FROM pending_calls ORDER BY random() LIMIT ?) c, "
            "     (SELECT coalesce(max(substring(exam_id FROM '^EXM-([0-9]+)$')::bigint), 418000) AS last "
            "      FROM pending_calls) serial"));
    query.addBindValue(kTopUpCalls);
    if (!query.exec())
        return Error{DatabaseConnection::describeError(query.lastError())};
    return query.numRowsAffected();
}

Result<DemoSeedSummary> DemoSeeder::seed()
{
    DemoSeedSummary summary;
    const auto fail = [this](const QSqlQuery &query, const char *what) -> Error {
        const QString message = Text::tr("Seeding the demo database failed (%1): %2")
                                        .arg(QString::fromLatin1(what),
                                             DatabaseConnection::describeError(query.lastError()));
        m_db.rollback();
        return Error{message};
    };
    if (!m_db.transaction())
        return Error{Text::tr("Seeding the demo database failed: could not begin a transaction: %1")
                             .arg(DatabaseConnection::describeError(m_db.lastError()))};
    QSqlQuery query(m_db);
    // Two demos starting at once must not both seed.
    if (!query.exec(QStringLiteral("LOCK TABLE pending_calls IN SHARE ROW EXCLUSIVE MODE")))
        return fail(query, "lock");
    query.prepare(QStringLiteral("SELECT set_config('callops.actor', ?, true)"));
    query.addBindValue(actor());
    if (!query.exec())
        return fail(query, "actor");
    if (!query.exec(QStringLiteral("SELECT count(*), now() FROM pending_calls")) || !query.next())
        return fail(query, "count");
    if (query.value(0).toLongLong() > 0) {
        summary.skipped = true;
        const auto added = topUpIfAllDone();
        if (!added) {
            m_db.rollback();
            return Error{added.error()};
        }
        summary.toppedUp = *added;
        if (summary.toppedUp == 0) {
            m_db.rollback();
            return summary;
        }
        if (Status committed = commit(); !committed)
            return Error{committed.error()};
        qCInfo(lcDemoSeed) << "every call of the previous run was done: added" << summary.toppedUp
                           << "new calls";
        return summary;
    }
    const QDateTime now = query.value(1).toDateTime().toUTC();
    // The histories below are written back-dated by us; the row triggers would add a second,
    // now-dated entry per row. Needs a superuser (the demo cluster's).
    if (!query.exec(QStringLiteral("SET LOCAL session_replication_role = replica")))
        return fail(query, "replication role");

    Generator generator(m_seed, now);
    generator.generate();

    QSqlQuery insertClassification(m_db);
    insertClassification.prepare(QStringLiteral(
            "INSERT INTO call_classifications (id, phone_number, classification_type, is_active, "
            "classification_expires_at, ivr_details, created_at, updated_at) "
            "VALUES (?::uuid, ?, ?, ?, ?, ?::jsonb, ?, ?)"));
    for (const Classification &c : generator.classifications) {
        for (const QVariant &value :
             {QVariant(c.id), QVariant(c.phoneNumber), QVariant(c.type), QVariant(c.active),
              QVariant(c.expiresAt), QVariant(json(c.details)), QVariant(c.createdAt), QVariant(c.createdAt)})
            insertClassification.addBindValue(value);
        if (!insertClassification.exec())
            return fail(insertClassification, "call_classifications");
        ++summary.classifications;
    }

    QSqlQuery insertCall(m_db);
    insertCall.prepare(QStringLiteral(
            "INSERT INTO pending_calls (id, exam_id, employee_name, employee_dob, phone, clinic_name, "
            "appointment_time, classification_id, last_attempt_at, ivr_classified_at, created_at, "
            "updated_at, "
            "workflow_state, classification_lookup_at, retry_count, max_retries, next_action_at, last_error, "
            "workflow_metadata, failed_at, failure_reason, clinic_timezone, state_changed_at, completed_at, "
            "attempt, classification_attempts) "
            "VALUES (?::uuid, ?, ?, ?, ?, ?, ?, ?::uuid, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, "
            "?, ?, ?)"));
    QSqlQuery insertEvent(m_db);
    insertEvent.prepare(
            QStringLiteral("INSERT INTO workflow_events (pending_call_id, from_state, to_state, actor, "
                           "reason, detail, at) VALUES (?::uuid, ?, ?, ?, ?, ?::jsonb, ?)"));
    QSqlQuery insertSession(m_db);
    insertSession.prepare(QStringLiteral("INSERT INTO call_sessions (pending_call_id, call_sid, kind, "
                                         "ivr_detection_state, status, created_at, updated_at) "
                                         "VALUES (?::uuid, ?, ?, ?, ?, ?, ?)"));

    QRandomGenerator sids(m_seed ^ 0x5a5a5a5au);
    for (const Call &call : generator.calls) {
        // Spread the history evenly from created_at to the moment the row entered its state.
        const qsizetype steps = call.path.size();
        QList<QDateTime> times;
        const qint64 span = call.createdAt.secsTo(call.stateChangedAt);
        for (qsizetype i = 0; i < steps; ++i)
            times.append(steps == 1 ? call.stateChangedAt : call.createdAt.addSecs(span * i / (steps - 1)));

        int attempt = 0;
        int classificationAttempts = 0;
        int retryCount = 0;
        QDateTime lastAttemptAt;
        QDateTime lookupAt;
        QDateTime ivrClassifiedAt;
        QString lastError;
        QString classificationType;
        QString previous;
        QList<QList<QVariant>> eventRows;
        QList<QList<QVariant>> sessionRows;
        for (qsizetype i = 0; i < steps; ++i) {
            const Step &step = call.path[i];
            const bool startsCall = step.event.endsWith(u"_call_started");
            if (startsCall) {
                ++attempt;
                lastAttemptAt = times[i];
                if (step.to == u"classifying")
                    ++classificationAttempts;
            }
            if (step.event == u"retry_scheduled")
                ++retryCount;
            if (step.to == u"checking_classification")
                lookupAt = times[i];
            if (step.to == u"classification_pending") {
                ivrClassifiedAt = times[i];
                classificationType = step.event.mid(int(qstrlen("classified_")));
            }
            if (!step.reason.isEmpty())
                lastError = step.reason;

            QJsonObject detail{{QStringLiteral("seeded"), true},
                               {QStringLiteral("event"), step.event},
                               {QStringLiteral("attempt"), attempt},
                               {QStringLiteral("retry_count"), retryCount}};
            eventRows.append({call.id, nullable(previous), step.to, step.actor,
                              nullable(step.reason.isEmpty() ? QString() : step.reason), json(detail),
                              times[i]});
            previous = step.to;

            if (startsCall) {
                const QString kind = step.to == u"classifying" ? QStringLiteral("classification")
                                                               : QStringLiteral("task");
                const QString next = i + 1 < steps ? call.path[i + 1].to : QString();
                QString status = QStringLiteral("completed");
                QString ivrState;
                if (next.isEmpty())
                    status = QStringLiteral("in-progress");
                else if (next == u"needs_classification")
                    status = QStringLiteral("no-answer");
                else if (next == u"failed")
                    status = QStringLiteral("failed");
                if (kind == u"classification" && next == u"classification_pending")
                    ivrState = call.path[i + 1].event.mid(int(qstrlen("classified_")));
                else if (kind == u"classification" && next == u"calling")
                    ivrState = QStringLiteral("human");
                const QString sid = QStringLiteral("CA%1%2")
                                            .arg(sids.generate64(), 16, 16, QLatin1Char('0'))
                                            .arg(sids.generate64(), 16, 16, QLatin1Char('0'));
                sessionRows.append({call.id, sid, kind, nullable(ivrState), status, times[i], times[i]});
            }
        }

        const QString state = call.path.constLast().to;
        const bool failed = state == u"failed" || state == u"classification_failed";
        QJsonObject metadata{{QStringLiteral("source"), QStringLiteral("demo")}};
        if (!classificationType.isEmpty()) {
            metadata.insert(QStringLiteral("classification_type"), classificationType);
            metadata.insert(QStringLiteral("classification_completed_at"),
                            ivrClassifiedAt.toString(Qt::ISODate));
        }
        const QVariant nextAction = call.nextActionAt
                ? QVariant(*call.nextActionAt)
                : (state == u"completed" ? QVariant(QMetaType::fromType<QDateTime>())
                                         : QVariant(call.stateChangedAt));
        const QList<QVariant> values{
                call.id,
                call.examId,
                call.employeeName,
                call.dob,
                call.phone,
                QString::fromLatin1(call.clinic->name),
                call.appointment,
                nullable(call.classificationId.isEmpty() ? QString() : call.classificationId),
                nullable(lastAttemptAt),
                nullable(ivrClassifiedAt),
                call.createdAt,
                call.stateChangedAt,
                state,
                nullable(lookupAt),
                retryCount,
                call.maxRetries,
                nextAction,
                nullable(lastError.isEmpty() ? QString() : lastError),
                json(metadata),
                failed ? QVariant(call.stateChangedAt) : QVariant(QMetaType::fromType<QDateTime>()),
                nullable(failed ? lastError : QString()),
                nullable(call.clinic->zoneStored ? QString::fromLatin1(call.clinic->zone) : QString()),
                call.stateChangedAt,
                state == u"completed" ? QVariant(call.stateChangedAt)
                                      : QVariant(QMetaType::fromType<QDateTime>()),
                attempt,
                classificationAttempts,
        };
        for (const QVariant &value : values)
            insertCall.addBindValue(value);
        if (!insertCall.exec())
            return fail(insertCall, "pending_calls");
        ++summary.calls;
        for (const QList<QVariant> &row : std::as_const(eventRows)) {
            for (const QVariant &value : row)
                insertEvent.addBindValue(value);
            if (!insertEvent.exec())
                return fail(insertEvent, "workflow_events");
            ++summary.events;
        }
        for (const QList<QVariant> &row : std::as_const(sessionRows)) {
            for (const QVariant &value : row)
                insertSession.addBindValue(value);
            if (!insertSession.exec())
                return fail(insertSession, "call_sessions");
            ++summary.sessions;
        }
        summary.callsPerState[state] += 1;
    }
    if (Status committed = commit(); !committed)
        return Error{committed.error()};
    qCInfo(lcDemoSeed) << "seeded" << summary.calls << "calls," << summary.classifications
                       << "classifications," << summary.events << "history entries";
    return summary;
}

} // namespace callops
