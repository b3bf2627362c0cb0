#pragma once

#include <QString>
#include <QStringList>

namespace callops {

// How the migrations a database has recorded compare with the ones this build ships. A program
// older than its database runs on, and says so (mid-way through upgrading a fleet, the newer
// migrations keep what older programs call); one newer than its database cannot: its statements
// name columns and functions the database does not have yet.
struct SchemaState
{
    QStringList missing; // this build's migrations the database has not had, in order
    QStringList unknown; // recorded by a newer CallOps, unknown to this build
    bool noneRecorded = false; // not a CallOps database yet (or not migrated at all)

    bool isUsable() const { return missing.isEmpty(); }
    // What stops this program, with what to do about it; empty when usable.
    QString missingMessage(const QString &target) const;
    // What this program should be updated for; empty when nothing is unknown.
    QString newerMessage(const QString &target) const;
};

} // namespace callops
