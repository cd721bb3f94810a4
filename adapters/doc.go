// Package adapters is the contract between the proxy's HTTP front end and the
// backends it fronts (SQL databases, legacy HTTP services).
//
// The contract is deliberately small: an Adapter lists, gets, inserts,
// updates and deletes records of one document type, in one Scope (locale and
// mode). Everything else is an optional capability that the proxy discovers
// by type assertion. The package imports the standard library only, so that
// every backend and the proxy can depend on it without depending on each
// other.
package adapters
