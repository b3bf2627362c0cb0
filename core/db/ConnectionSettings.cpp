#include "ConnectionSettings.h"

#include <QCoreApplication>
#include <QUrl>
#include <QUrlQuery>

namespace callops {
namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("ConnectionSettings", text);
}

const QStringList &sslModes()
{
    static const QStringList modes{QStringLiteral("disable"),   QStringLiteral("allow"),
                                   QStringLiteral("prefer"),    QStringLiteral("require"),
                                   QStringLiteral("verify-ca"), QStringLiteral("verify-full")};
    return modes;
}

// Keys libpq knows that we pass through unchanged; anything else is a typo worth reporting.
const QStringList &knownOptions()
{
    static const QStringList keys{
            QStringLiteral("sslmode"),
            QStringLiteral("sslrootcert"),
            QStringLiteral("sslcert"),
            QStringLiteral("sslkey"),
            QStringLiteral("sslcrl"),
            QStringLiteral("sslpassword"),
            QStringLiteral("sslcompression"),
            QStringLiteral("sslsni"),
            QStringLiteral("connect_timeout"),
            QStringLiteral("application_name"),
            QStringLiteral("options"),
            QStringLiteral("target_session_attrs"),
            QStringLiteral("keepalives"),
            QStringLiteral("keepalives_idle"),
            QStringLiteral("keepalives_interval"),
            QStringLiteral("keepalives_count"),
            QStringLiteral("tcp_user_timeout"),
            QStringLiteral("gssencmode"),
            QStringLiteral("channel_binding"),
            QStringLiteral("hostaddr"),
            QStringLiteral("client_encoding"),
    };
    return keys;
}

QString quoteKeywordValue(const QString &value)
{
    QString escaped = value;
    escaped.replace(u'\\', QStringLiteral("\\\\"));
    escaped.replace(u'\'', QStringLiteral("\\'"));
    return u'\'' + escaped + u'\'';
}

} // namespace

Result<ConnectionSettings> ConnectionSettings::parse(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return Error{
                tr("No database given: pass --db URL, set DATABASE_URL, or configure one in the settings.")};
    if (trimmed.startsWith(u"postgresql://", Qt::CaseInsensitive)
        || trimmed.startsWith(u"postgres://", Qt::CaseInsensitive))
        return parseUrl(trimmed);
    if (trimmed.contains(u"://"))
        return Error{tr("Unsupported database URL scheme in \"%1\": use "
                        "postgresql://user:password@host:port/database")
                             .arg(trimmed.section(QStringLiteral("://"), 0, 0))};
    if (!trimmed.contains(u'='))
        return Error{tr("Not a database URL or libpq keyword string: expected postgresql://... or host=... "
                        "dbname=...")};
    return parseKeywords(trimmed);
}

Result<ConnectionSettings> ConnectionSettings::parseUrl(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid()) {
        // QUrl's message quotes the input, which may hold the password: describe it ourselves.
        return Error{tr("Malformed database URL: expected postgresql://user:password@host:port/database"
                        "[?sslmode=require]")};
    }
    ConnectionSettings settings;
    settings.m_host = url.host(QUrl::FullyDecoded);
    if (url.port() == 0)
        return Error{tr("Malformed database URL: port 0 is not a port")};
    settings.m_port = url.port(5432);
    settings.m_user = url.userName(QUrl::FullyDecoded);
    settings.m_password = url.password(QUrl::FullyDecoded);
    QString path = url.path(QUrl::FullyDecoded);
    if (path.startsWith(u'/'))
        path.remove(0, 1);
    if (path.contains(u'/'))
        return Error{tr("Malformed database URL: the path must be just the database name")};
    settings.m_database = path;

    const QUrlQuery query(url);
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (Status status = settings.assign(key, value); !status)
            return Error{status.error()};
    }
    return settings;
}

Result<ConnectionSettings> ConnectionSettings::parseKeywords(const QString &text)
{
    ConnectionSettings settings;
    qsizetype i = 0;
    const qsizetype n = text.size();
    auto skipSpaces = [&] {
        while (i < n && text.at(i).isSpace())
            ++i;
    };
    while (true) {
        skipSpaces();
        if (i >= n)
            break;
        const qsizetype keyStart = i;
        while (i < n && text.at(i) != u'=' && !text.at(i).isSpace())
            ++i;
        const QString key = text.mid(keyStart, i - keyStart);
        skipSpaces();
        if (i >= n || text.at(i) != u'=')
            return Error{
                    tr("Malformed connection string: \"%1\" has no value (expected key=value)").arg(key)};
        ++i;
        skipSpaces();
        QString value;
        if (i < n && text.at(i) == u'\'') {
            ++i;
            bool closed = false;
            while (i < n) {
                const QChar c = text.at(i++);
                if (c == u'\\' && i < n) {
                    value.append(text.at(i++));
                } else if (c == u'\'') {
                    closed = true;
                    break;
                } else {
                    value.append(c);
                }
            }
            if (!closed)
                return Error{tr("Malformed connection string: unterminated quote in the value of \"%1\"")
                                     .arg(key)};
        } else {
            while (i < n && !text.at(i).isSpace()) {
                const QChar c = text.at(i++);
                if (c == u'\\' && i < n)
                    value.append(text.at(i++));
                else
                    value.append(c);
            }
        }
        if (Status status = settings.assign(key, value); !status)
            return Error{status.error()};
    }
    return settings;
}

Status ConnectionSettings::assign(const QString &key, const QString &value)
{
    if (key == u"host") {
        m_host = value;
    } else if (key == u"port") {
        bool ok = false;
        const int port = value.toInt(&ok);
        if (!ok || port <= 0 || port > 65535)
            return Error{tr("Malformed connection settings: port \"%1\" is not a number from 1 to 65535")
                                 .arg(value)};
        m_port = port;
    } else if (key == u"dbname") {
        m_database = value;
    } else if (key == u"user") {
        m_user = value;
    } else if (key == u"password") {
        m_password = value;
    } else if (knownOptions().contains(key)) {
        if (key == u"sslmode" && !sslModes().contains(value))
            return Error{tr("Unknown sslmode \"%1\": use one of %2")
                                 .arg(value, sslModes().join(QStringLiteral(", ")))};
        if (key == u"connect_timeout") {
            bool ok = false;
            value.toInt(&ok);
            if (!ok)
                return Error{tr("Malformed connection settings: connect_timeout \"%1\" is not a number")
                                     .arg(value)};
        }
        m_options.insert(key, value);
    } else {
        return Error{tr("Unknown connection setting \"%1\"").arg(key)};
    }
    return Status::success();
}

QString ConnectionSettings::endpoint() const
{
    const QString host = m_host.isEmpty() ? tr("local socket") : m_host;
    // IPv6 literals need brackets to be read back with their port.
    const QString shownHost = host.contains(u':') ? u'[' + host + u']' : host;
    return shownHost + u':' + QString::number(m_port);
}

QString ConnectionSettings::target() const
{
    QString text = endpoint();
    if (!m_database.isEmpty())
        text += u'/' + m_database;
    if (!m_user.isEmpty())
        text += tr(" as %1").arg(m_user);
    return text;
}

QString ConnectionSettings::qtConnectOptions() const
{
    QStringList parts;
    for (auto it = m_options.cbegin(); it != m_options.cend(); ++it)
        parts.append(it.key() + u'=' + it.value());
    return parts.join(u';');
}

QString ConnectionSettings::libpqKeywordString() const
{
    QStringList parts;
    auto add = [&parts](const QString &key, const QString &value) {
        if (!value.isEmpty())
            parts.append(key + u'=' + quoteKeywordValue(value));
    };
    add(QStringLiteral("host"), m_host);
    add(QStringLiteral("port"), QString::number(m_port));
    add(QStringLiteral("dbname"), m_database);
    add(QStringLiteral("user"), m_user);
    add(QStringLiteral("password"), m_password);
    for (auto it = m_options.cbegin(); it != m_options.cend(); ++it)
        add(it.key(), it.value());
    return parts.join(u' ');
}

QString ConnectionSettings::url() const
{
    QUrl url;
    url.setScheme(QStringLiteral("postgresql"));
    url.setHost(m_host);
    url.setPort(m_port);
    url.setUserName(m_user);
    url.setPassword(m_password);
    url.setPath(u'/' + m_database);
    QUrlQuery query;
    for (auto it = m_options.cbegin(); it != m_options.cend(); ++it)
        query.addQueryItem(it.key(), it.value());
    url.setQuery(query);
    return url.toString(QUrl::FullyEncoded);
}

bool ConnectionSettings::looksLikeTransactionPooler() const
{
    return m_port == 6543 && m_host.contains(u"pooler.supabase.com");
}

} // namespace callops
