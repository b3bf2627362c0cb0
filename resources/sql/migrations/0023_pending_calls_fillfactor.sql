-- Room on each page for a row's next version. Every call is updated several times (a lease, the
-- start, the outcome, retries), and a lease alone changes no indexed column: with room on its
-- page it is a HOT update, which writes no index entries, where on a full page it writes one into
-- each of the table's six indexes. Rows come in batches from the API and fill their pages, so the
-- first updates of a batch found no room. Applies to pages written from now on; nothing is rewritten.
ALTER TABLE pending_calls SET (fillfactor = 90);
