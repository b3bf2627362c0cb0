#pragma once

#include "TestCluster.h"

#include <QSqlDatabase>
#include <QString>
#include <QVariant>

namespace callops::test {

// A fresh, empty database on the test cluster for one test, dropped again when this goes away.
class TestDatabase
{
public:
    explicit TestDatabase(const QString &label);
    ~TestDatabase();
    TestDatabase(const TestDatabase &) = delete;
    TestDatabase &operator=(const TestDatabase &) = delete;

    bool isValid() const { return m_error.isEmpty(); }
    QString error() const { return m_error; }

    QString name() const { return m_name; }
    const TestCluster &cluster() const { return m_cluster; }
    ConnectionSettings settings() const { return m_cluster.superuser(m_name); }
    QString url() const { return settings().url(); }

    // A connection of the calling thread to this database (QSqlDatabase is per thread).
    QSqlDatabase connection(const QString &purpose = QStringLiteral("test")) const;
    // Applies CallOps' migrations; false and error() on failure.
    bool migrate();
    // Runs SQL with psql, as an outside writer would; returns psql's exit code, output in *output.
    int psql(const QString &sql, QString *output = nullptr, const QStringList &extraArgs = {}) const;

private:
    TestCluster m_cluster;
    QString m_name;
    QString m_error;
};

// The first column of the first row of `sql` (with `binds` for its ? placeholders), or an invalid QVariant
// (and a warning naming the statement) when it fails or returns nothing.
QVariant scalar(const QSqlDatabase &db, const QString &sql, const QVariantList &binds = {});

// A new pending call in `state` to `phone` (exam EX, employee Some Body): its id, or an empty string
// (and a warning) when the insert fails.
QString insertPendingCall(const QSqlDatabase &db, const QString &state, const QString &phone);

} // namespace callops::test
