#include "SchemaState.h"

#include <QCoreApplication>

namespace callops {
namespace {

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(SchemaState)
};

} // namespace

QString SchemaState::missingMessage(const QString &target) const
{
    if (missing.isEmpty())
        return {};
    if (noneRecorded)
        return Text::tr("The database %1 has no CallOps tables yet: run callops --migrate against it (as the "
                        "database's owner).")
                .arg(target);
    return Text::tr("The database %1 lacks CallOps migrations %2 (it was migrated by an older CallOps): run "
                    "callops --migrate against it (as the database's owner).")
            .arg(target, missing.join(QStringLiteral(", ")));
}

QString SchemaState::newerMessage(const QString &target) const
{
    if (unknown.isEmpty())
        return {};
    return Text::tr(
                   "The database %1 was migrated by a newer CallOps (migrations %2 are unknown to this one): "
                   "update CallOps on this computer.")
            .arg(target, unknown.join(QStringLiteral(", ")));
}

} // namespace callops
