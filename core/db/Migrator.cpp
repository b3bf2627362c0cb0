#include "Migrator.h"

#include "DatabaseConnection.h"
#include "SqlScript.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

Q_DECLARE_LOGGING_CATEGORY(lcDb)

namespace callops {
namespace {

// Any constant works as long as every CallOps migrator uses the same one.
constexpr qint64 kMigrationLockKey = 0x43616c6c4f7073; // "CallOps"

// Text::tr, not a free tr(): lupdate files a free function's strings under the enclosing
// namespace, so they would never match the context they are looked up in.
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(Migrator)
};

} // namespace

Migrator::Migrator(QSqlDatabase db, QList<Migration> migrations)
    : m_db(std::move(db))
    , m_migrations(std::move(migrations))
{
    std::sort(m_migrations.begin(), m_migrations.end(),
              [](const Migration &a, const Migration &b) { return a.version < b.version; });
}

QList<Migration> Migrator::builtInMigrations()
{
    QList<Migration> migrations;
    const QDir dir(QStringLiteral(":/sql/migrations"));
    const QStringList files = dir.entryList({QStringLiteral("*.sql")}, QDir::Files, QDir::Name);
    for (const QString &file : files) {
        QFile f(dir.filePath(file));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        migrations.append({file.section(u'_', 0, 0), file, QString::fromUtf8(f.readAll())});
    }
    return migrations;
}

Status Migrator::ensureBookkeeping()
{
    QSqlQuery query(m_db);
    // A user without CREATE on the schema (a scheduler logged in as callops_scheduler) may still
    // read which migrations are applied: CREATE TABLE IF NOT EXISTS checks the privilege first.
    if (query.exec(QStringLiteral("SELECT to_regclass('schema_migrations') IS NOT NULL")) && query.next()
        && query.value(0).toBool())
        return Status::success();
    if (!query.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS schema_migrations ("
                                   " version text PRIMARY KEY,"
                                   " name text NOT NULL,"
                                   " checksum text NOT NULL,"
                                   " applied_at timestamptz NOT NULL DEFAULT now())"))) {
        return Error{Text::tr("Cannot create the schema_migrations table: %1")
                             .arg(DatabaseConnection::describeError(query.lastError()))};
    }
    return Status::success();
}

Result<QStringList> Migrator::recordedVersions()
{
    // Only reads: a console or a scheduler looking must not create the bookkeeping table (nor
    // could a least-privilege role).
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT to_regclass('schema_migrations') IS NOT NULL")) || !query.next())
        return Error{DatabaseConnection::describeError(query.lastError())};
    QStringList versions;
    if (!query.value(0).toBool())
        return versions;
    if (!query.exec(QStringLiteral("SELECT version FROM schema_migrations ORDER BY version")))
        return Error{DatabaseConnection::describeError(query.lastError())};
    while (query.next())
        versions.append(query.value(0).toString());
    return versions;
}

Result<SchemaState> Migrator::schemaState()
{
    const Result<QStringList> recorded = recordedVersions();
    if (!recorded)
        return Error{recorded.error()};
    SchemaState state;
    state.noneRecorded = recorded->isEmpty();
    QStringList known;
    for (const Migration &migration : std::as_const(m_migrations)) {
        known.append(migration.version);
        if (!recorded->contains(migration.version))
            state.missing.append(migration.version);
    }
    for (const QString &version : *recorded) {
        if (!known.contains(version))
            state.unknown.append(version);
    }
    return state;
}

Result<QStringList> Migrator::migrate()
{
    if (m_migrations.isEmpty())
        return Error{Text::tr("No migrations found: the binary was built without its SQL resources.")};

    // The migrations say IF NOT EXISTS on purpose: the server's "already exists, skipping"
    // notices, printed raw by libpq, only alarmed whoever ran them.
    QSqlQuery quiet(m_db);
    quiet.exec(QStringLiteral("SET client_min_messages = warning"));
    auto loud = qScopeGuard([&quiet] { quiet.exec(QStringLiteral("RESET client_min_messages")); });

    QSqlQuery lock(m_db);
    lock.prepare(QStringLiteral("SELECT pg_advisory_lock(?)"));
    lock.addBindValue(kMigrationLockKey);
    if (!lock.exec())
        return Error{Text::tr("Cannot take the migration lock: %1")
                             .arg(DatabaseConnection::describeError(lock.lastError()))};

    auto unlock = qScopeGuard([this] {
        QSqlQuery release(m_db);
        release.prepare(QStringLiteral("SELECT pg_advisory_unlock(?)"));
        release.addBindValue(kMigrationLockKey);
        release.exec();
    });

    // Read what is applied only once the lock is held, so a migrator that waited sees the
    // other's work.
    if (Status status = ensureBookkeeping(); !status)
        return Error{status.error()};
    const Result<QStringList> applied = recordedVersions();
    if (!applied)
        return applied;

    QStringList appliedNow;
    for (const Migration &migration : std::as_const(m_migrations)) {
        if (applied->contains(migration.version))
            continue;
        if (Status status = apply(migration); !status)
            return Error{status.error()};
        appliedNow.append(migration.version);
        qCInfo(lcDb) << "applied migration" << migration.name;
    }
    return appliedNow;
}

Status Migrator::apply(const Migration &migration)
{
    if (!m_db.transaction()) {
        return Error{Text::tr("Migration %1 could not start a transaction: %2")
                             .arg(migration.name, DatabaseConnection::describeError(m_db.lastError()))};
    }
    const QStringList statements = SqlScript::statements(migration.sql);
    for (qsizetype i = 0; i < statements.size(); ++i) {
        QSqlQuery statement(m_db);
        if (!statement.exec(statements.at(i))) {
            const QString reason = DatabaseConnection::describeError(statement.lastError());
            statement = QSqlQuery();
            m_db.rollback();
            return Error{Text::tr("Migration %1 failed at statement %2 and was rolled back: %3")
                                 .arg(migration.name)
                                 .arg(i + 1)
                                 .arg(reason)};
        }
    }
    QSqlQuery record(m_db);
    record.prepare(
            QStringLiteral("INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)"));
    record.addBindValue(migration.version);
    record.addBindValue(migration.name);
    record.addBindValue(QString::fromLatin1(
            QCryptographicHash::hash(migration.sql.toUtf8(), QCryptographicHash::Sha256).toHex()));
    if (!record.exec()) {
        const QString reason = DatabaseConnection::describeError(record.lastError());
        record = QSqlQuery();
        m_db.rollback();
        return Error{Text::tr("Migration %1 could not be recorded and was rolled back: %2")
                             .arg(migration.name, reason)};
    }
    if (!m_db.commit()) {
        return Error{Text::tr("Migration %1 could not be committed: %2")
                             .arg(migration.name, DatabaseConnection::describeError(m_db.lastError()))};
    }
    return Status::success();
}

} // namespace callops
