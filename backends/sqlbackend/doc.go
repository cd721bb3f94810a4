// Package sqlbackend serves document types from legacy SQL tables, on the
// pools of backends/sqldb (SQLite, PostgreSQL and MySQL/MariaDB), and
// renders the rows of the statements a configuration declares (Run).
//
// A type maps one table: its key column becomes the aposDocId, an optional
// locale column and an optional mode column (columns storage) carry
// Apostrophe's locale and mode, and each configured field reads one column.
// Identifiers come only from the configuration and are quoted; requests only
// bind values. The statements of single-document reads are prepared by New;
// the statements of lists are prepared on first use and cached by their SQL
// text, which is assembled from fragments New builds once.
//
// Rows are rendered straight into JSON (Record.Fields) by appending to byte
// slices, with each column scanned into a reusable cell that keeps the
// driver's own value, so that reads allocate little per row.
package sqlbackend
