#pragma once

#include "common/Result.h"

#include <QMap>
#include <QSqlDatabase>
#include <QString>

namespace callops {

// What DemoSeeder wrote.
struct DemoSeedSummary
{
    bool skipped = false; // the database already had pending calls: none of the above written
    int toppedUp = 0; // ... and every one was done: this many new calls added for the demo to move
    int calls = 0;
    int classifications = 0;
    int events = 0;
    int sessions = 0;
    QMap<QString, int> callsPerState;
};

// Fills an empty demo database with about 200 invented but realistic pending calls: clinics in
// several US time zones and abroad (London, Mexico City, Madrid), valid phone numbers in the
// formats people type (some shared by several calls), classifications (some expired), a few
// malformed numbers, a few calls stuck in flight, and calls already retried, failed or completed
// with their histories. Everything is written in one transaction with bound values; a database
// that already holds calls is left alone, unless every call in it is done (a demo run again after
// the last one finished everything): then it gets a few dozen new calls, so that something moves.
// The same seed gives the same calls.
//
// It writes the histories itself (back-dated), so it turns the tables' triggers off for its
// transaction (session_replication_role): it needs a superuser, as the demo cluster's is.
class DemoSeeder final
{
public:
    explicit DemoSeeder(QSqlDatabase db, quint32 seed = 20261125);

    Result<DemoSeedSummary> seed();

    // The actor named in the seeded rows' first history entries is never this; the seeding
    // transaction itself runs as this actor.
    static QString actor();

    static constexpr int kTopUpCalls = 40;

private:
    Result<int> topUpIfAllDone();
    Status commit();

    QSqlDatabase m_db;
    quint32 m_seed;
};

} // namespace callops
