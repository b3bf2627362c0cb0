#include "ConnectionSettings.h"

#include "common/EditDistance.h"
#include "common/MessageText.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QUrl>
#include <QUrlQuery>

#include <algorithm>

namespace callops {
namespace {

// Text::tr, not a free tr(): lupdate files a free function's strings under the enclosing
// namespace, so they would never match the context they are looked up in.
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(ConnectionSettings)
};

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

QString shown(const QString &value)
{
    return MessageText::quoted(value);
}

// Text that may carry a password (a password keyword, or user information in a URL): errors
// about it quote no piece of it, since after a typo nobody can tell which piece is the password
// ("password=my secret" makes "secret" a word without a value).
bool mayCarryPassword(const QString &text)
{
    return text.contains(u"password", Qt::CaseInsensitive) || text.contains(u'@');
}

// A piece of the input for an error message, or "..." when the input may carry a password.
QString piece(const QString &value, bool quoteInput)
{
    static const QStringList keywords{QStringLiteral("host"), QStringLiteral("port"),
                                      QStringLiteral("dbname"), QStringLiteral("user"),
                                      QStringLiteral("password")};
    if (quoteInput || keywords.contains(value) || knownOptions().contains(value))
        return shown(value);
    return QStringLiteral("...");
}

// The keyword an unknown setting name is a typo of, if any.
QString closestKeyword(const QString &key)
{
    if (key.size() > 40)
        return {};
    QStringList keywords{QStringLiteral("host"), QStringLiteral("port"), QStringLiteral("dbname"),
                         QStringLiteral("user"), QStringLiteral("password")};
    keywords += knownOptions();
    for (const QString &keyword : std::as_const(keywords)) {
        if (EditDistance::between(key.toLower(), keyword) <= 2)
            return keyword;
    }
    return {};
}

// A setting name for an error message: a keyword or a near miss of one is named; any other word
// is not, since it may be a piece of a password glued to something else after a typo.
QString keyPiece(const QString &key)
{
    static const QRegularExpression identifier(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]{0,39}$"));
    if (identifier.match(key).hasMatch() && !closestKeyword(key).isEmpty())
        return shown(key);
    return QStringLiteral("...");
}

// Every password the raw text may hold, found leniently (the text did not parse): the value of a
// password keyword, quoted or not, and the password part of a URL's user information.
QStringList passwordsIn(const QString &text)
{
    static const QRegularExpression keyword(
            QStringLiteral(R"(password\s*=\s*(?:'((?:[^'\\]|\\.)*+)'?|(\S++)))"),
            QRegularExpression::CaseInsensitiveOption);
    QStringList found;
    for (auto it = keyword.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch match = it.next();
        found << match.captured(1) << match.captured(2);
    }
    // URL user information: after "scheme://", everything up to the last '@' (user, password
    // and whatever a typo glued to them), and the password alone from the first ':'. Masking
    // too much of a message is harmless; too little is not. A bounded number of URLs, each
    // scanned once, so a hostile text costs linear time.
    qsizetype from = 0;
    for (int urls = 0; urls < 16; ++urls) {
        const qsizetype scheme = text.indexOf(u"://", from);
        if (scheme < 0)
            break;
        const qsizetype start = scheme + 3;
        const qsizetype at = text.lastIndexOf(u'@');
        if (at > start) {
            const QString userInfo = text.mid(start, at - start);
            found << userInfo;
            const qsizetype colon = userInfo.indexOf(u':');
            if (colon >= 0) {
                const QString encoded = userInfo.mid(colon + 1);
                found << encoded << QUrl::fromPercentEncoding(encoded.toUtf8());
            }
        }
        from = start;
    }
    // Very short ones would mask ordinary letters all over the message; they are no secret.
    found.removeIf([](const QString &password) { return password.size() < 3; });
    // Longest first, so a password containing another is masked whole.
    std::sort(found.begin(), found.end(),
              [](const QString &a, const QString &b) { return a.size() > b.size(); });
    return found;
}

// An error about `text` with any password in it masked: a typo such as "port=5432password=..."
// would otherwise quote the password as part of the port.
Error withoutPasswords(const QString &message, const QString &text)
{
    QString masked = message;
    for (const QString &password : passwordsIn(text))
        masked.replace(password, QStringLiteral("********"));
    return Error{masked};
}

// "scheme://..." where scheme is a URL scheme: only then is the text meant as a URL. A keyword
// string may contain "://" in a value (sslrootcert=file:///...).
bool looksLikeUrl(const QString &text)
{
    static const QRegularExpression scheme(QStringLiteral(R"(^[A-Za-z][A-Za-z0-9+.\-]*://)"));
    return scheme.match(text).hasMatch();
}

} // namespace

Result<ConnectionSettings> ConnectionSettings::parse(const QString &text)
{
    Result<ConnectionSettings> result = parseText(text, !mayCarryPassword(text));
    if (!result)
        return withoutPasswords(result.error(), text);
    return result;
}

Result<ConnectionSettings> ConnectionSettings::parseText(const QString &text, bool quoteInput)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return Error{Text::tr(
                "No database given: pass --db URL, set DATABASE_URL, or configure one in the settings.")};
    if (trimmed.startsWith(u"postgresql://", Qt::CaseInsensitive)
        || trimmed.startsWith(u"postgres://", Qt::CaseInsensitive))
        return parseUrl(trimmed, quoteInput);
    if (looksLikeUrl(trimmed))
        return Error{Text::tr("Unsupported database URL scheme in \"%1\": use "
                              "postgresql://user:password@host:port/database")
                             .arg(piece(trimmed.section(QStringLiteral("://"), 0, 0), quoteInput))};
    if (!trimmed.contains(u'='))
        return Error{
                Text::tr("Not a database URL or libpq keyword string: expected postgresql://... or host=... "
                         "dbname=...")};
    return parseKeywords(trimmed, quoteInput);
}

Result<ConnectionSettings> ConnectionSettings::parseUrl(const QString &text, bool quoteInput)
{
    const QUrl url(text, QUrl::StrictMode);
    // A '#' starts a fragment, which a database URL never has: it is an unencoded character of the
    // password, and what follows it would be silently dropped (p@ss#1@host read as host "ss").
    if (!url.isValid() || url.hasFragment()) {
        // QUrl's message quotes the input, which may hold the password: describe it ourselves.
        return Error{Text::tr("Malformed database URL: expected postgresql://user:password@host:port/database"
                              "[?sslmode=require], with special characters in the password percent-encoded "
                              "(@ as %40, # as %23, / as %2F, : as %3A, space as %20)")};
    }
    ConnectionSettings settings;
    settings.m_host = url.host(QUrl::FullyDecoded);
    if (url.port() == 0)
        return Error{Text::tr("Malformed database URL: port 0 is not a port")};
    settings.m_port = url.port(5432);
    settings.m_user = url.userName(QUrl::FullyDecoded);
    settings.m_password = url.password(QUrl::FullyDecoded);
    QString path = url.path(QUrl::FullyDecoded);
    if (path.startsWith(u'/'))
        path.remove(0, 1);
    if (path.contains(u'/'))
        return Error{Text::tr("Malformed database URL: the path must be just the database name")};
    settings.m_database = path;

    const QUrlQuery query(url);
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (Status status = settings.assign(key, value, quoteInput); !status)
            return Error{status.error()};
    }
    return settings;
}

Result<ConnectionSettings> ConnectionSettings::parseKeywords(const QString &text, bool quoteInput)
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
        if (i >= n || text.at(i) != u'=') {
            // A word without "=" may be half of an unquoted password ("password=my secret"):
            // only a keyword is named.
            if (keyPiece(key) == QStringLiteral("..."))
                return Error{
                        Text::tr("Malformed connection string: a word without a value (expected key=value; "
                                 "quote values that contain spaces)")};
            return Error{Text::tr("Malformed connection string: \"%1\" has no value (expected key=value)")
                                 .arg(key)};
        }
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
                return Error{
                        Text::tr("Malformed connection string: unterminated quote in the value of \"%1\"")
                                .arg(keyPiece(key))};
        } else {
            while (i < n && !text.at(i).isSpace()) {
                const QChar c = text.at(i++);
                if (c == u'\\' && i < n)
                    value.append(text.at(i++));
                else
                    value.append(c);
            }
        }
        if (Status status = settings.assign(key, value, quoteInput); !status)
            return Error{status.error()};
    }
    return settings;
}

Status ConnectionSettings::assign(const QString &key, const QString &value, bool quoteInput)
{
    if (key == u"host") {
        m_host = value;
    } else if (key == u"port") {
        bool ok = false;
        const int port = value.toInt(&ok);
        if (!ok || port <= 0 || port > 65535)
            return Error{
                    Text::tr("Malformed connection settings: port \"%1\" is not a number from 1 to 65535")
                            .arg(piece(value, quoteInput))};
        m_port = port;
    } else if (key == u"dbname") {
        m_database = value;
    } else if (key == u"user") {
        m_user = value;
    } else if (key == u"password") {
        m_password = value;
    } else if (knownOptions().contains(key)) {
        if (key == u"sslmode" && !sslModes().contains(value))
            return Error{Text::tr("Unknown sslmode \"%1\": use one of %2")
                                 .arg(piece(value, quoteInput), sslModes().join(QStringLiteral(", ")))};
        if (key == u"connect_timeout") {
            bool ok = false;
            value.toInt(&ok);
            if (!ok)
                return Error{Text::tr("Malformed connection settings: connect_timeout \"%1\" is not a number")
                                     .arg(piece(value, quoteInput))};
        }
        m_options.insert(key, value);
    } else {
        const QString suggestion = closestKeyword(key);
        if (keyPiece(key) == QStringLiteral("..."))
            return Error{
                    Text::tr("Unknown connection setting (not a libpq keyword; check the spelling of the "
                             "keywords)")};
        if (suggestion.isEmpty())
            return Error{Text::tr("Unknown connection setting \"%1\"").arg(key)};
        return Error{Text::tr("Unknown connection setting \"%1\" (did you mean %2?)").arg(key, suggestion)};
    }
    return Status::success();
}

QString ConnectionSettings::endpoint() const
{
    const QString host = m_host.isEmpty() ? Text::tr("local socket") : shown(m_host);
    // IPv6 literals need brackets to be read back with their port.
    const QString shownHost = host.contains(u':') ? u'[' + host + u']' : host;
    return shownHost + u':' + QString::number(m_port);
}

QString ConnectionSettings::target() const
{
    QString text = endpoint();
    if (!m_database.isEmpty())
        text += u'/' + shown(m_database);
    if (!m_user.isEmpty())
        text += Text::tr(" as %1").arg(shown(m_user));
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

QString ConnectionSettings::maskPasswords(const QString &text)
{
    return withoutPasswords(text, text).message;
}

bool ConnectionSettings::looksLikeTransactionPooler() const
{
    // Host names are case-insensitive: "AWS-0-...Pooler.Supabase.com" is the same pooler.
    return m_port == 6543 && m_host.contains(u"pooler.supabase.com", Qt::CaseInsensitive);
}

Status ConnectionSettings::checkNotTransactionPooler() const
{
    if (!looksLikeTransactionPooler())
        return Status::success();
    return Error{Text::tr("%1 is Supabase's transaction pooler, which drops LISTEN/NOTIFY and prepared "
                          "statements: use the session pooler (port 5432) or the direct host.")
                         .arg(endpoint())};
}

} // namespace callops
