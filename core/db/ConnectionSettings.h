#pragma once

#include "common/Result.h"

#include <QMap>
#include <QString>

namespace callops {

// Where a PostgreSQL database is and how to reach it, parsed from a postgresql:// URL or a libpq
// keyword string ("host=... port=... dbname=..."). The password is kept but never shown:
// everything meant for people goes through target().
class ConnectionSettings
{
public:
    static Result<ConnectionSettings> parse(const QString &text);

    QString host() const { return m_host; }
    int port() const { return m_port; }
    QString databaseName() const { return m_database; }
    QString user() const { return m_user; }
    QString password() const { return m_password; }
    // libpq options other than the five above (sslmode, sslrootcert, connect_timeout, ...).
    QMap<QString, QString> options() const { return m_options; }
    QString option(const QString &key) const { return m_options.value(key); }
    QString sslMode() const { return m_options.value(QStringLiteral("sslmode")); }

    void setDatabaseName(const QString &name) { m_database = name; }
    void setOption(const QString &key, const QString &value) { m_options.insert(key, value); }

    // "host:port/database as user": names the server in messages and logs, never the password.
    QString target() const;
    // host:port only.
    QString endpoint() const;

    // The options as QPSQL takes them in QSqlDatabase::setConnectOptions ("k=v;k=v").
    QString qtConnectOptions() const;
    // A libpq keyword string with everything including the password, for tools such as psql
    // that take one (pass it through the environment, never on a command line).
    QString libpqKeywordString() const;
    // A postgresql:// URL with the password, for child processes.
    QString url() const;

    // `text` with every password it may hold masked: URL user information ("user:secret@") and
    // password keywords ("password=secret"), found leniently. For messages that quote user input.
    static QString maskPasswords(const QString &text);

    // Supabase's transaction pooler (Supavisor on port 6543) drops session state between
    // transactions: LISTEN and prepared statements do not work through it.
    bool looksLikeTransactionPooler() const;
    // An error saying what to use instead, for the commands that cannot work through it.
    Status checkNotTransactionPooler() const;

private:
    // quoteInput: error messages may quote pieces of the text (false when it may hold a password).
    static Result<ConnectionSettings> parseText(const QString &text, bool quoteInput);
    static Result<ConnectionSettings> parseUrl(const QString &text, bool quoteInput);
    static Result<ConnectionSettings> parseKeywords(const QString &text, bool quoteInput);
    Status assign(const QString &key, const QString &value, bool quoteInput);

    QString m_host;
    int m_port = 5432;
    QString m_database;
    QString m_user;
    QString m_password;
    QMap<QString, QString> m_options;
};

} // namespace callops
