// Package apos is aposproxy's vocabulary: the words of Apostrophe's API
// that every layer speaks. Roles and principals, modes and scopes,
// document ids, field kinds and schemas, and the named errors with their
// client-safe messages. It imports the standard library only, so that
// config, the adapter contract, the backends, auth, jobs, modules and the
// proxy can all share it without importing each other.
package apos
