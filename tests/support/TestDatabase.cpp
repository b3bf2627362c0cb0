#include "TestDatabase.h"

#include "db/DatabaseConnection.h"
#include "db/Migrator.h"

#include <QCoreApplication>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>

namespace callops::test {
namespace {

QString adminPurpose()
{
    return QStringLiteral("test-admin");
}

} // namespace

TestDatabase::TestDatabase(const QString &label)
{
    auto cluster = TestCluster::fromEnvironment();
    if (!cluster) {
        m_error = cluster.error();
        return;
    }
    m_cluster = *cluster;
    QString safeLabel = label.toLower();
    safeLabel.replace(QRegularExpression(QStringLiteral("[^a-z0-9_]")), QStringLiteral("_"));
    m_name = QStringLiteral("t_%1_%2_%3")
                     .arg(safeLabel.left(30))
                     .arg(QCoreApplication::applicationPid())
                     .arg(QRandomGenerator::global()->generate() & 0xffffff, 6, 16, QLatin1Char('0'));

    auto admin = DatabaseConnection::open(m_cluster.superuser(), adminPurpose());
    if (!admin) {
        m_error = admin.error();
        return;
    }
    QSqlQuery create(*admin);
    // Identifiers cannot be bound; the name is made above from [a-z0-9_] only.
    if (!create.exec(QStringLiteral("CREATE DATABASE \"%1\"").arg(m_name)))
        m_error = DatabaseConnection::describeError(create.lastError());
}

TestDatabase::~TestDatabase()
{
    if (m_name.isEmpty())
        return;
    for (const QString &name : QSqlDatabase::connectionNames()) {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        if (db.databaseName() == m_name) {
            db.close();
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(name);
        }
    }
    auto admin = DatabaseConnection::open(m_cluster.superuser(), adminPurpose());
    if (admin) {
        QSqlQuery drop(*admin);
        drop.exec(QStringLiteral("DROP DATABASE IF EXISTS \"%1\" WITH (FORCE)").arg(m_name));
    }
}

QSqlDatabase TestDatabase::connection(const QString &purpose) const
{
    auto db = DatabaseConnection::open(settings(), m_name + u'-' + purpose);
    if (!db)
        qWarning("TestDatabase: %s", qPrintable(db.error()));
    return db ? *db : QSqlDatabase();
}

bool TestDatabase::migrate()
{
    Migrator migrator(connection(QStringLiteral("migrate")));
    const auto applied = migrator.migrate();
    if (!applied)
        m_error = applied.error();
    return applied.ok();
}

int TestDatabase::psql(const QString &sql, QString *output, const QStringList &extraArgs) const
{
    QProcess process;
    process.setProcessEnvironment(m_cluster.processEnvironment());
    const ConnectionSettings s = settings();
    QStringList args{QStringLiteral("-X"), QStringLiteral("-q"),
                     QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1"),
                     QStringLiteral("-h"), s.host(),
                     QStringLiteral("-p"), QString::number(s.port()),
                     QStringLiteral("-U"), s.user(),
                     QStringLiteral("-d"), m_name};
    args += extraArgs;
    args << QStringLiteral("-c") << sql;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(m_cluster.psqlPath(), args);
    if (!process.waitForFinished(60000)) {
        process.kill();
        process.waitForFinished();
    }
    if (output)
        *output = QString::fromUtf8(process.readAll());
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

QVariant scalar(const QSqlDatabase &db, const QString &sql, const QVariantList &binds)
{
    QSqlQuery query(db);
    query.prepare(sql);
    for (const QVariant &value : binds)
        query.addBindValue(value);
    if (!query.exec() || !query.next()) {
        qWarning("query failed: %s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
        return {};
    }
    return query.value(0);
}

QString insertPendingCall(const QSqlDatabase &db, const QString &state, const QString &phone)
{
    return scalar(db,
                  QStringLiteral("INSERT INTO pending_calls (exam_id, employee_name, phone, workflow_state) "
                                 "VALUES ('EX', 'Some Body', ?, ?) RETURNING id"),
                  {phone, state})
            .toString();
}

} // namespace callops::test
