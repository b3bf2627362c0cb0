#include "CallTableModel.h"

#include "PhoneText.h"
#include "StateColors.h"
#include "console/ConsoleWorker.h"
#include "console/SupersededReads.h"

#include <QGuiApplication>
#include <QHash>
#include <QLocale>

namespace callops {
namespace {

// A refresh reloads at most this many rows; further pages come back through fetchMore.
constexpr int kMaxRefreshRows = 5000;

QString shortTime(const QDateTime &time)
{
    if (!time.isValid())
        return {};
    return QLocale().toString(time.toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm"));
}

} // namespace

CallTableModel::CallTableModel(ConsoleWorker *worker, QObject *parent)
    : QAbstractTableModel(parent)
    , m_worker(worker)
    // Without a worker (a model only for its headers) nothing is asked, nor superseded.
    , m_reads(worker ? worker->reads() : std::make_shared<SupersededReads>())
    , m_rowStream(m_reads->newStream())
    , m_countStream(m_reads->newStream())
{
    connect(worker, &ConsoleWorker::pageLoaded, this, &CallTableModel::pageLoaded);
    connect(worker, &ConsoleWorker::filteredCounted, this, [this](quint64 generation, qint64 total) {
        if (generation != m_countGeneration)
            return;
        m_total = total;
        emit totalCountChanged(total);
    });
}

int CallTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int CallTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CallTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const CallRecord &call = m_rows.at(index.row());
    const WorkflowState state = workflow::stateFromName(call.state);
    if (index.column() == Phone) {
        if (role == Qt::ToolTipRole)
            return phoneText::described(call);
        if (role == Qt::ForegroundRole && phoneText::undiallable(call)) {
            // Read when painted, so that the red follows the palette (light or dark) the table has now.
            return stateColors::textOnRows(WorkflowState::Failed, QGuiApplication::palette());
        }
    }
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        switch (index.column()) {
        case ExamId:
            return call.examId;
        case Employee:
            return call.employeeName;
        case Clinic:
            return call.clinicName;
        case Phone:
            return phoneText::shown(call);
        case State:
            return state == WorkflowState::Unknown ? tr("Unknown (%1)").arg(call.state)
                                                   : workflow::stateLabel(state);
        case Retries:
            return tr("%1 of %2").arg(call.retryCount).arg(call.maxRetries);
        case NextAction:
            return workflow::isTerminal(state) ? QString() : shortTime(call.nextActionAt);
        case LastError:
            return call.lastError;
        case Updated:
            return shortTime(call.updatedAt);
        default:
            return {};
        }
    case Qt::DecorationRole:
        if (index.column() == State)
            return stateColors::swatch(state);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Retries)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case CallIdRole:
        return call.id;
    case StateNameRole:
        return call.state;
    default:
        return {};
    }
}

QVariant CallTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::ToolTipRole
        && (section == NextAction || section == Updated))
        return tr("In this computer's time zone (%1)")
                .arg(QDateTime::currentDateTime().timeZoneAbbreviation());
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case ExamId:
        return tr("Exam");
    case Employee:
        return tr("Employee");
    case Clinic:
        return tr("Clinic");
    case Phone:
        return tr("Phone");
    case State:
        return tr("State");
    case Retries:
        return tr("Retries");
    case NextAction:
        return tr("Next action");
    case LastError:
        return tr("Last error");
    case Updated:
        return tr("Updated");
    default:
        return {};
    }
}

bool CallTableModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_complete && !m_loading && m_worker;
}

void CallTableModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    requestPage(m_rows.size(), m_pageSize, false);
}

CallSort::Key CallTableModel::sortKey(int column)
{
    switch (column) {
    case ExamId:
        return CallSort::Key::ExamId;
    case Employee:
        return CallSort::Key::Employee;
    case Clinic:
        return CallSort::Key::Clinic;
    case Phone:
        return CallSort::Key::Phone;
    case State:
        return CallSort::Key::State;
    case Retries:
        return CallSort::Key::Retries;
    case NextAction:
        return CallSort::Key::NextAction;
    case LastError:
        return CallSort::Key::LastError;
    default:
        return CallSort::Key::Updated;
    }
}

void CallTableModel::sort(int column, Qt::SortOrder order)
{
    const CallSort sort{sortKey(column), order == Qt::DescendingOrder};
    if (sort == m_sort && m_generation != 0)
        return;
    m_sort = sort;
    // Another order of the same calls: how many there are stays what it was (a count pending
    // for this filter still comes in). The first order, before any filter, counts.
    restart(m_countGeneration == 0);
}

void CallTableModel::setFilter(const CallFilter &filter)
{
    m_filter = filter;
    restart(true);
}

void CallTableModel::restart(bool recount)
{
    ++m_generation;
    beginResetModel();
    m_rows.clear();
    m_complete = false;
    m_loading = false;
    endResetModel();
    m_reads->supersede(m_rowStream, m_generation);
    if (recount) {
        m_countGeneration = m_generation;
        m_reads->supersede(m_countStream, m_countGeneration);
        m_total = -1;
        emit totalCountChanged(m_total);
    }
    if (!m_worker)
        return;
    // The page first: the worker answers in order, and the rows are what the dispatcher waits for.
    requestPage(0, m_pageSize, false);
    if (recount)
        requestCount();
}

void CallTableModel::requestCount()
{
    const quint64 generation = m_countGeneration;
    const CallFilter filter = m_filter;
    ConsoleWorker *worker = m_worker;
    QMetaObject::invokeMethod(worker, [worker, stream = m_countStream, generation, filter] {
        worker->countFiltered(stream, generation, filter);
    });
}

void CallTableModel::refresh()
{
    if (!m_worker || m_loading)
        return;
    const qint64 loaded = std::max<qint64>(m_rows.size(), m_pageSize);
    const int limit
            = int(std::min<qint64>(((loaded + m_pageSize - 1) / m_pageSize) * m_pageSize, kMaxRefreshRows));
    requestPage(0, limit, true);
    requestCount();
}

void CallTableModel::requestPage(qint64 offset, int limit, bool replacing)
{
    setLoading(true);
    m_refreshGeneration = replacing ? m_generation : 0;
    const quint64 generation = m_generation;
    const CallFilter filter = m_filter;
    const CallSort sort = m_sort;
    ConsoleWorker *worker = m_worker;
    QMetaObject::invokeMethod(worker,
                              [worker, stream = m_rowStream, generation, filter, sort, offset, limit] {
                                  worker->loadPage(stream, generation, filter, sort, offset, limit);
                              });
}

void CallTableModel::pageLoaded(quint64 generation, qint64 offset, const QList<CallRecord> &calls,
                                bool complete)
{
    if (generation != m_generation)
        return;
    const bool replacing = m_refreshGeneration == generation;
    m_refreshGeneration = 0;
    setLoading(false);
    if (replacing) {
        replaceRows(calls);
        m_complete = complete;
    } else if (offset == m_rows.size()) {
        if (!calls.isEmpty()) {
            beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + calls.size() - 1));
            m_rows.append(calls);
            endInsertRows();
        }
        m_complete = complete;
    }
    emit pageArrived();
}

void CallTableModel::replaceRows(const QList<CallRecord> &calls)
{
    // Rows are added before the layout change and removed after it, so that the change moves every
    // persistent index (the selection) while its row still exists: a selected call below the new
    // row count may well be among the new rows, higher up.
    if (calls.size() > m_rows.size()) {
        beginInsertRows({}, int(m_rows.size()), int(calls.size() - 1));
        m_rows.append(calls.mid(m_rows.size()));
        endInsertRows();
    }
    emit layoutAboutToBeChanged();
    QHash<QString, int> newRows;
    for (int row = 0; row < calls.size(); ++row)
        newRows.insert(calls.at(row).id, row);
    // While the table shrinks, calls that left fill the rows about to be removed; their persistent
    // indexes go with those rows, and the views hear of it from the removal.
    QList<CallRecord> rows = calls;
    for (const CallRecord &call : std::as_const(m_rows)) {
        if (rows.size() >= m_rows.size())
            break;
        if (!newRows.contains(call.id)) {
            newRows.insert(call.id, int(rows.size()));
            rows.append(call);
        }
    }
    const QModelIndexList persistent = persistentIndexList();
    QModelIndexList to;
    to.reserve(persistent.size());
    for (const QModelIndex &index : persistent) {
        const int row = newRows.value(m_rows.at(index.row()).id, -1);
        to.append(row < 0 ? QModelIndex() : createIndex(row, index.column()));
    }
    m_rows = rows;
    changePersistentIndexList(persistent, to);
    emit layoutChanged();
    if (m_rows.size() > calls.size()) {
        beginRemoveRows({}, int(calls.size()), int(m_rows.size() - 1));
        m_rows.resize(calls.size());
        endRemoveRows();
    }
}

void CallTableModel::setLoading(bool loading)
{
    if (m_loading == loading)
        return;
    m_loading = loading;
    emit loadingChanged(loading);
}

const CallRecord *CallTableModel::call(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows.at(row) : nullptr;
}

int CallTableModel::rowOfCall(const QString &id) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).id == id)
            return row;
    }
    return -1;
}

} // namespace callops
