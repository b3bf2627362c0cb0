#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QMap>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

Run run(const QString &program, const QStringList &arguments, const QString &workingDirectory = {})
{
    QProcess process;
    if (!workingDirectory.isEmpty())
        process.setWorkingDirectory(workingDirectory);
    process.start(program, arguments);
    Run result;
    if (!process.waitForStarted(10'000)) {
        result.err = process.errorString();
        return result;
    }
    process.waitForFinished(240'000);
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromLocal8Bit(process.readAllStandardOutput());
    result.err = QString::fromLocal8Bit(process.readAllStandardError());
    return result;
}

// A systemd unit or desktop entry as section -> key -> values (keys may repeat).
using IniFile = QMap<QString, QMultiMap<QString, QString>>;

IniFile parseIni(const QString &path, QStringList *problems)
{
    IniFile ini;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        problems->append(QStringLiteral("cannot read ") + path);
        return ini;
    }
    QString section;
    int number = 0;
    static const QRegularExpression sectionLine(QStringLiteral("^\\[([A-Za-z ]+)\\]$"));
    static const QRegularExpression keyLine(QStringLiteral("^([A-Za-z][A-Za-z0-9\\[\\]@_-]*)=(.*)$"));
    while (!file.atEnd()) {
        ++number;
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        if (line.isEmpty() || line.startsWith(u'#') || line.startsWith(u';'))
            continue;
        if (const auto match = sectionLine.match(line); match.hasMatch()) {
            section = match.captured(1);
            continue;
        }
        const auto match = keyLine.match(line);
        if (!match.hasMatch() || section.isEmpty()) {
            problems->append(
                    QStringLiteral("line %1 is not key=value in a section: %2").arg(number).arg(line));
            continue;
        }
        ini[section].insert(match.captured(1), match.captured(2));
    }
    return ini;
}

} // namespace

// Builds the Debian package from this build tree (cpack into a temporary directory, reusing the
// built binary) and checks what it installs, with which modes, which dependencies it declares,
// its maintainer scripts, and that the systemd unit is valid.
class TestPackage : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void filesAndModes();
    void dependencies();
    void maintainerScripts();
    void unitFileKeys();
    void unitFileVerifiedBySystemd();
    void desktopEntry();

private:
    QTemporaryDir m_temp;
    QString m_deb;
    QString m_tree;
    QString m_control;
    QMap<QString, QString> m_modes; // path -> "-rwxr-xr-x root/root"
};

void TestPackage::initTestCase()
{
    QVERIFY(m_temp.isValid());
    for (const char *tool : {"dpkg-deb", "dpkg-shlibdeps"})
        QVERIFY2(!QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty(),
                 qPrintable(QStringLiteral("%1 missing: install dpkg-dev").arg(QString::fromLatin1(tool))));
    const Run cpack = run(QStringLiteral(CALLOPS_CPACK),
                          {QStringLiteral("--config"), QStringLiteral(CALLOPS_BUILD_DIR "/CPackConfig.cmake"),
                           QStringLiteral("-G"), QStringLiteral("DEB"), QStringLiteral("-B"), m_temp.path()},
                          m_temp.path());
    QVERIFY2(cpack.exitCode == 0, qPrintable(cpack.out + cpack.err));
    const QStringList debs = QDir(m_temp.path()).entryList({QStringLiteral("callops_*.deb")}, QDir::Files);
    QCOMPARE(debs.size(), 1);
    m_deb = m_temp.filePath(debs.constFirst());
    QVERIFY2(QRegularExpression(QStringLiteral("^callops_\\d+\\.\\d+\\.\\d+_[a-z0-9]+\\.deb$"))
                     .match(debs.constFirst())
                     .hasMatch(),
             qPrintable(debs.constFirst()));

    const Run listing = run(QStringLiteral("dpkg-deb"), {QStringLiteral("-c"), m_deb});
    QVERIFY2(listing.exitCode == 0, qPrintable(listing.err));
    for (const QString &line : listing.out.split(u'\n', Qt::SkipEmptyParts)) {
        const QStringList fields = line.simplified().split(u' ');
        QVERIFY(fields.size() >= 6);
        QString path = fields.last();
        if (path.startsWith(QStringLiteral("./")))
            path = path.mid(1);
        m_modes.insert(path, fields.at(0) + u' ' + fields.at(1));
    }
    m_tree = m_temp.filePath(QStringLiteral("tree"));
    m_control = m_temp.filePath(QStringLiteral("control"));
    QCOMPARE(run(QStringLiteral("dpkg-deb"), {QStringLiteral("-x"), m_deb, m_tree}).exitCode, 0);
    QCOMPARE(run(QStringLiteral("dpkg-deb"), {QStringLiteral("-e"), m_deb, m_control}).exitCode, 0);
}

void TestPackage::filesAndModes()
{
    const QMap<QString, QString> expected{
            {QStringLiteral("/usr/bin/callops"), QStringLiteral("-rwxr-xr-x root/root")},
            {QStringLiteral("/usr/lib/systemd/system/callops-scheduler.service"),
             QStringLiteral("-rw-r--r-- root/root")},
            {QStringLiteral("/usr/share/applications/callops.desktop"),
             QStringLiteral("-rw-r--r-- root/root")},
            {QStringLiteral("/usr/share/icons/hicolor/scalable/apps/callops.svg"),
             QStringLiteral("-rw-r--r-- root/root")},
            {QStringLiteral("/usr/share/callops/callops.env.example"),
             QStringLiteral("-rw-r--r-- root/root")},
            {QStringLiteral("/usr/share/doc/callops/README.md"), QStringLiteral("-rw-r--r-- root/root")},
    };
    for (auto it = expected.cbegin(); it != expected.cend(); ++it) {
        QVERIFY2(m_modes.contains(it.key()), qPrintable(it.key() + QStringLiteral(" not in the package")));
        QCOMPARE(m_modes.value(it.key()), it.value());
    }
    // Translations the build made go along (the console also embeds them).
    QDirIterator qmFiles(QStringLiteral(CALLOPS_BUILD_DIR), {QStringLiteral("*.qm")}, QDir::Files,
                         QDirIterator::Subdirectories);
    while (qmFiles.hasNext()) {
        const QString qm = QFileInfo(qmFiles.next()).fileName();
        if (qmFiles.filePath().contains(QStringLiteral("/_CPack_Packages/")))
            continue;
        QVERIFY2(m_modes.contains(QStringLiteral("/usr/share/callops/translations/") + qm), qPrintable(qm));
    }
    // Nothing from the tests, no secrets, nothing under /etc (postinst makes the env file).
    for (auto it = m_modes.cbegin(); it != m_modes.cend(); ++it) {
        QVERIFY2(!it.key().startsWith(QStringLiteral("/etc/")), qPrintable(it.key()));
        QVERIFY2(!it.key().contains(QStringLiteral("Test")), qPrintable(it.key()));
        QVERIFY2(!it.value().startsWith(u'-') || it.value().section(u' ', 1) == u"root/root",
                 qPrintable(it.key()));
    }
    // The binary in the package is the one this tree built, and it runs.
    const Run version = run(m_tree + QStringLiteral("/usr/bin/callops"), {QStringLiteral("--version")});
    QCOMPARE(version.exitCode, 0);
    QVERIFY2(version.out.contains(QStringLiteral("callops")), qPrintable(version.out));
}

void TestPackage::dependencies()
{
    const Run info = run(QStringLiteral("dpkg-deb"),
                         {QStringLiteral("-f"), m_deb, QStringLiteral("Package"), QStringLiteral("Depends"),
                          QStringLiteral("Recommends"), QStringLiteral("Architecture")});
    QCOMPARE(info.exitCode, 0);
    QMap<QString, QString> fields;
    for (const QString &line : info.out.split(u'\n', Qt::SkipEmptyParts))
        fields.insert(line.section(u':', 0, 0), line.section(u':', 1).trimmed());
    QCOMPARE(fields.value(QStringLiteral("Package")), QStringLiteral("callops"));
    QVERIFY(!fields.value(QStringLiteral("Architecture")).isEmpty());
    const QStringList depends = fields.value(QStringLiteral("Depends")).split(QStringLiteral(", "));
    const auto dependsOn = [&depends](const QString &package) {
        return std::any_of(depends.cbegin(), depends.cend(),
                           [&](const QString &d) { return d == package || d.startsWith(package + u' '); });
    };
    // Declared: the QPSQL driver and the SVG plugins (plugins, invisible to dpkg-shlibdeps), the CA
    // certificates HTTPS calls are checked against, and adduser (postinst).
    for (const char *package : {"libqt6sql6-psql", "libqt6svg6", "ca-certificates", "adduser"})
        QVERIFY2(dependsOn(QString::fromLatin1(package)), qPrintable(depends.join(u',')));
    // Found by dpkg-shlibdeps from the binary.
    QVERIFY2(dependsOn(QStringLiteral("libqt6core6")), qPrintable(depends.join(u',')));
    QVERIFY2(dependsOn(QStringLiteral("libqt6sql6")), qPrintable(depends.join(u',')));
    QVERIFY2(dependsOn(QStringLiteral("libc6")), qPrintable(depends.join(u',')));
    // libpq itself, which the binary links beside QPSQL (server notices, closed sessions).
    QVERIFY2(dependsOn(QStringLiteral("libpq5")), qPrintable(depends.join(u',')));
    QVERIFY2(std::any_of(depends.cbegin(), depends.cend(),
                         [](const QString &d) { return d.startsWith(QStringLiteral("libphonenumber")); }),
             qPrintable(depends.join(u',')));
    QVERIFY2(fields.value(QStringLiteral("Recommends")).contains(QStringLiteral("postgresql-client")),
             qPrintable(fields.value(QStringLiteral("Recommends"))));
}

void TestPackage::maintainerScripts()
{
    for (const char *name : {"postinst", "prerm", "postrm"}) {
        QFileInfo script(m_control + u'/' + QString::fromLatin1(name));
        QVERIFY2(script.exists(), name);
        QVERIFY2(script.permissions().testFlag(QFileDevice::ExeOwner), name);
        const Run syntax = run(QStringLiteral("sh"), {QStringLiteral("-n"), script.filePath()});
        QVERIFY2(syntax.exitCode == 0, qPrintable(syntax.err));
    }
    QFile postinst(m_control + QStringLiteral("/postinst"));
    QVERIFY(postinst.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(postinst.readAll());
    // An upgrade restarts a running scheduler on the new binary (as dh_installsystemd does).
    QVERIFY(text.contains(QStringLiteral("systemctl try-restart callops-scheduler.service")));
    // The system user, and the environment file created once, 0600, never overwritten.
    QVERIFY(text.contains(QStringLiteral("adduser --system --group")));
    QVERIFY(text.contains(QStringLiteral("callops")));
    QVERIFY(text.contains(QStringLiteral("[ ! -e /etc/callops/callops.env ]")));
    QVERIFY(QRegularExpression(
                    QStringLiteral("install -m 0600 -o root -g callops \\S+ /etc/callops/callops.env"))
                    .match(text)
                    .hasMatch());
    // The template it copies is in the package and names the three settings.
    QFile example(m_tree + QStringLiteral("/usr/share/callops/callops.env.example"));
    QVERIFY(example.open(QIODevice::ReadOnly));
    const QString env = QString::fromUtf8(example.readAll());
    for (const char *key : {"DATABASE_URL=", "SUPABASE_URL=", "SUPABASE_SERVICE_ROLE_KEY="})
        QVERIFY2(env.contains(QRegularExpression(u'^' + QString::fromLatin1(key),
                                                 QRegularExpression::MultilineOption)),
                 key);
}

void TestPackage::unitFileKeys()
{
    QStringList problems;
    const IniFile unit = parseIni(
            m_tree + QStringLiteral("/usr/lib/systemd/system/callops-scheduler.service"), &problems);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
    QCOMPARE(unit.keys(),
             (QList<QString>{QStringLiteral("Install"), QStringLiteral("Service"), QStringLiteral("Unit")}));
    const auto service = unit.value(QStringLiteral("Service"));
    const QMap<QString, QString> required{
            {QStringLiteral("ExecStart"), QStringLiteral("/usr/bin/callops --no-gui")},
            {QStringLiteral("User"), QStringLiteral("callops")},
            {QStringLiteral("EnvironmentFile"), QStringLiteral("/etc/callops/callops.env")},
            {QStringLiteral("Restart"), QStringLiteral("on-failure")},
            // Only a bad configuration stops the restarts; 75 (database unreachable at start) does not.
            {QStringLiteral("RestartPreventExitStatus"), QStringLiteral("2")},
            {QStringLiteral("NoNewPrivileges"), QStringLiteral("yes")},
            {QStringLiteral("ProtectSystem"), QStringLiteral("strict")},
            {QStringLiteral("PrivateTmp"), QStringLiteral("yes")},
            {QStringLiteral("KillSignal"), QStringLiteral("SIGTERM")},
            // Started once it says READY=1 (its checks passed), watched while it pings.
            {QStringLiteral("Type"), QStringLiteral("notify")},
            {QStringLiteral("NotifyAccess"), QStringLiteral("main")},
            {QStringLiteral("WatchdogSec"), QStringLiteral("120")},
    };
    for (auto it = required.cbegin(); it != required.cend(); ++it) {
        QCOMPARE(service.values(it.key()).size(), 1);
        QCOMPARE(service.value(it.key()), it.value());
    }
    QCOMPARE(unit.value(QStringLiteral("Install")).value(QStringLiteral("WantedBy")),
             QStringLiteral("multi-user.target"));
    QVERIFY(!unit.value(QStringLiteral("Unit")).value(QStringLiteral("Description")).isEmpty());
}

void TestPackage::unitFileVerifiedBySystemd()
{
    const QString analyze = QStandardPaths::findExecutable(QStringLiteral("systemd-analyze"));
    if (analyze.isEmpty())
        QSKIP("systemd-analyze is not installed (package systemd): the unit was checked by parsing only "
              "(unitFileKeys)");
    // A root holding the package and the host's own units (for the targets the unit refers to), so
    // that verify also checks that ExecStart's program exists.
    const QString root = m_temp.filePath(QStringLiteral("verify-root"));
    QCOMPARE(run(QStringLiteral("dpkg-deb"), {QStringLiteral("-x"), m_deb, root}).exitCode, 0);
    const QString hostUnits = QFileInfo::exists(QStringLiteral("/usr/lib/systemd/system/sysinit.target"))
            ? QStringLiteral("/usr/lib/systemd/system")
            : QStringLiteral("/lib/systemd/system");
    QCOMPARE(run(QStringLiteral("cp"),
                 {QStringLiteral("-an"), hostUnits + QStringLiteral("/."),
                  root + QStringLiteral("/usr/lib/systemd/system/")})
                     .exitCode,
             0);
    const Run verify = run(analyze,
                           {QStringLiteral("--root=") + root, QStringLiteral("verify"),
                            QStringLiteral("callops-scheduler.service")});
    // verify exits 0 even for unknown keys or bad values; it then prints them: demand silence.
    QVERIFY2(verify.exitCode == 0 && verify.out.trimmed().isEmpty() && verify.err.trimmed().isEmpty(),
             qPrintable(QStringLiteral("exit %1: %2%3").arg(verify.exitCode).arg(verify.out, verify.err)));

    // And it does catch mistakes here: a misspelt key makes it speak.
    QFile unit(root + QStringLiteral("/usr/lib/systemd/system/callops-scheduler.service"));
    QVERIFY(unit.open(QIODevice::ReadWrite));
    QByteArray text = unit.readAll();
    text.replace("ProtectSystem=strict", "ProtectSystm=strict");
    unit.resize(0);
    unit.write(text);
    unit.close();
    const Run broken = run(analyze,
                           {QStringLiteral("--root=") + root, QStringLiteral("verify"),
                            QStringLiteral("callops-scheduler.service")});
    QVERIFY2((broken.out + broken.err).contains(QStringLiteral("ProtectSystm")),
             qPrintable(broken.out + broken.err));
}

void TestPackage::desktopEntry()
{
    QStringList problems;
    const IniFile desktop
            = parseIni(m_tree + QStringLiteral("/usr/share/applications/callops.desktop"), &problems);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
    const auto entry = desktop.value(QStringLiteral("Desktop Entry"));
    QCOMPARE(entry.value(QStringLiteral("Type")), QStringLiteral("Application"));
    QCOMPARE(entry.value(QStringLiteral("Exec")), QStringLiteral("callops"));
    QCOMPARE(entry.value(QStringLiteral("Icon")), QStringLiteral("callops"));
    QCOMPARE(entry.value(QStringLiteral("Name")), QStringLiteral("CallOps"));
    const QString validator = QStandardPaths::findExecutable(QStringLiteral("desktop-file-validate"));
    if (!validator.isEmpty()) {
        const Run valid
                = run(validator, {m_tree + QStringLiteral("/usr/share/applications/callops.desktop")});
        QVERIFY2(valid.exitCode == 0, qPrintable(valid.out + valid.err));
    }
}

QTEST_GUILESS_MAIN(TestPackage)
#include "TestPackage.moc"
