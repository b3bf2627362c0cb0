#include "DatabaseConnection.h"

#include "ServerNotices.h"
#include "common/MessageText.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

Q_LOGGING_CATEGORY(lcDb, "callops.db")

namespace callops {
namespace {

QString firstLine(const QString &text)
{
    const QString trimmed = text.trimmed();
    const qsizetype newline = trimmed.indexOf(u'\n');
    return (newline < 0 ? trimmed : trimmed.left(newline)).trimmed();
}

} // namespace

QString DatabaseConnection::connectionName(const QString &purpose)
{
    return QStringLiteral("callops:%1:%2")
            .arg(purpose)
            .arg(reinterpret_cast<quintptr>(QThread::currentThread()), 0, 16);
}

Result<QSqlDatabase> DatabaseConnection::open(const ConnectionSettings &settings, const QString &purpose)
{
    const QString name = connectionName(purpose);
    if (QSqlDatabase::contains(name)) {
        QSqlDatabase existing = QSqlDatabase::database(name, false);
        if (existing.isOpen())
            return existing;
        existing = QSqlDatabase();
        QSqlDatabase::removeDatabase(name);
    }
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL"))) {
        return Error{QCoreApplication::translate("DatabaseConnection",
                                                 "The Qt PostgreSQL driver (QPSQL) is not installed: install "
                                                 "the package libqt6sql6-psql.")};
    }

    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
    db.setHostName(settings.host());
    db.setPort(settings.port());
    db.setDatabaseName(settings.databaseName());
    db.setUserName(settings.user());
    db.setPassword(settings.password());
    ConnectionSettings withDefaults = settings;
    auto byDefault = [&withDefaults](const QString &key, const QString &value) {
        if (withDefaults.option(key).isEmpty())
            withDefaults.setOption(key, value);
    };
    byDefault(QStringLiteral("connect_timeout"), QStringLiteral("10"));
    byDefault(QStringLiteral("application_name"), QStringLiteral("callops-") + purpose);
    // A server gone without closing the connection (a failover, a cut network path) is noticed
    // within about a minute: with the kernel's defaults a session waiting on LISTEN found out
    // after two hours, and a statement sent into the void waited a quarter of an hour for TCP to
    // give up, the engine's thread deaf to SIGTERM meanwhile. A long statement is not cut short:
    // the server's kernel answers the probes and acknowledges what was sent.
    byDefault(QStringLiteral("keepalives_idle"), QStringLiteral("30"));
    byDefault(QStringLiteral("keepalives_interval"), QStringLiteral("10"));
    byDefault(QStringLiteral("keepalives_count"), QStringLiteral("3"));
    byDefault(QStringLiteral("tcp_user_timeout"), QStringLiteral("60000"));
    db.setConnectOptions(withDefaults.qtConnectOptions());

    if (!db.open()) {
        const QString message = describeFailure(settings, db.lastError());
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(name);
        return Error{message};
    }
    ServerNotices::route(db);
    QSqlQuery setup(db);
    if (!setup.exec(QStringLiteral("SET TIME ZONE 'UTC'"))) {
        const QString message = describeError(setup.lastError());
        setup = QSqlQuery();
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(name);
        return Error{message};
    }
    qCDebug(lcDb) << "connected" << purpose << "to" << settings.target();
    return db;
}

void DatabaseConnection::close(const QString &purpose)
{
    const QString name = connectionName(purpose);
    if (!QSqlDatabase::contains(name))
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

void DatabaseConnection::close(QSqlDatabase &lastHandle, const QString &purpose)
{
    lastHandle = QSqlDatabase();
    close(purpose);
}

QString DatabaseConnection::describeFailure(const ConnectionSettings &settings, const QSqlError &error)
{
    QString reason = firstLine(error.databaseText());
    if (reason.isEmpty())
        reason = firstLine(error.driverText());
    // libpq never puts the password in its messages, so there is nothing to mask; replacing it
    // would garble them (a password "postgres" hid the user name) and show where it occurs.
    reason = MessageText::oneLine(reason);
    return QCoreApplication::translate("DatabaseConnection", "Cannot connect to the database at %1: %2")
            .arg(settings.target(), reason);
}

QString DatabaseConnection::describeError(const QSqlError &error)
{
    QString text = firstLine(error.databaseText());
    if (text.isEmpty())
        text = firstLine(error.driverText());
    // QPSQL says nothing at all of a session the server has closed (a restart, a terminated backend).
    if (text.isEmpty())
        text = closedByServer();
    // The server may echo a value (a huge or binary one) back in its message.
    text = MessageText::oneLine(text);
    if (!error.nativeErrorCode().isEmpty())
        text += QStringLiteral(" [SQLSTATE %1]").arg(error.nativeErrorCode());
    return text;
}

QString DatabaseConnection::closedByServer()
{
    return QCoreApplication::translate("DatabaseConnection", "no answer: the server closed the connection");
}

} // namespace callops
