#pragma once

#include "console/CallFilter.h"
#include "console/CallRecord.h"

#include <QAbstractTableModel>
#include <QPointer>

#include <memory>

namespace callops {

class ConsoleWorker;
class SupersededReads;

// The calls of the console's table, loaded page by page through the ConsoleWorker (never on the
// GUI thread). Filtering and sorting run in SQL: setFilter() and sort() start over from the first
// page, fetchMore() asks for the next one, refresh() reloads what is loaded and keeps the
// selection on the same calls.
class CallTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CallTableModel)

public:
    enum Column {
        ExamId,
        Employee,
        Clinic,
        Phone,
        State,
        Retries,
        NextAction,
        LastError,
        Updated,
        ColumnCount
    };
    enum Role {
        CallIdRole = Qt::UserRole + 1,
        StateNameRole, // raw workflow_state text
        SortKeyRole,
    };

    explicit CallTableModel(ConsoleWorker *worker, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    void setFilter(const CallFilter &filter);
    const CallFilter &filter() const { return m_filter; }
    const CallSort &sortOrder() const { return m_sort; }
    void refresh();
    void setPageSize(int rows) { m_pageSize = rows; }

    const CallRecord *call(int row) const;
    int rowOfCall(const QString &id) const;
    // Rows matching the filter in the database (-1 until counted).
    qint64 totalCount() const { return m_total; }
    bool isLoading() const { return m_loading; }

    static CallSort::Key sortKey(int column);

signals:
    void totalCountChanged(qint64 total);
    void loadingChanged(bool loading);
    // A page or a refresh arrived.
    void pageArrived();

private:
    // Starts over from the first page; `recount`: the filter changed, count its calls again.
    void restart(bool recount);
    void requestCount();
    void requestPage(qint64 offset, int limit, bool replacing);
    void pageLoaded(quint64 generation, qint64 offset, const QList<CallRecord> &calls, bool complete);
    void replaceRows(const QList<CallRecord> &calls);
    void setLoading(bool loading);

    QPointer<ConsoleWorker> m_worker;
    // The newest generations, read on the worker's thread: a request still queued there behind a
    // newer one is skipped (a search typed key by key queued a query per pause, each seconds long
    // at a million calls), and one running is cancelled on the server.
    std::shared_ptr<SupersededReads> m_reads;
    quint64 m_rowStream = 0;
    quint64 m_countStream = 0;
    QList<CallRecord> m_rows;
    CallFilter m_filter;
    CallSort m_sort;
    quint64 m_generation = 0; // of the rows: a new filter or order
    quint64 m_countGeneration = 0; // of the count: a new filter
    quint64 m_refreshGeneration = 0;
    qint64 m_total = -1;
    int m_pageSize = 200;
    bool m_complete = false;
    bool m_loading = false;
};

} // namespace callops
