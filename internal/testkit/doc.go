// Package testkit is what the tests of several packages share: a loopback
// server, HTTP requests with API keys and bearer tokens, a fresh database
// per test on every SQL engine, a Redis key prefix of its own, and
// configurations written into a temporary directory ({{DIR}}).
//
// It is for tests only: no package of the program imports it (its
// TestNoProgramImportsTheKit checks). It imports no package of the
// module but internal/scratchdb, so that the tests of every package,
// config and backends/sqldb included, can use it.
package testkit
