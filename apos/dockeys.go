package apos

// docKeys are the keys of an Apostrophe document that are not schema
// fields: its identity, type, slug, state, timestamps and search text,
// which Apostrophe computes or owns.
var docKeys = map[string]bool{
	"aposDocId": true, "aposLocale": true, "aposMode": true, "type": true, "metaType": true,
	"slug": true, "modified": true, "archived": true, "visibility": true, "createdAt": true,
	"updatedAt": true, "updatedBy": true, "cacheInvalidatedAt": true, "lastPublishedAt": true,
	"titleSortified": true, "highSearchText": true, "highSearchWords": true, "lowSearchText": true,
	"searchSummary": true, "submitted": true, "localizedAt": true, "copyOfId": true,
	"aposShareKey": true, "aposShareExpiresAt": true,
}

// IsDocKey reports whether key is one of Apostrophe's own document keys
// rather than a schema field. Keys that start with "_" (relationships,
// permission annotations) are not among them: each caller decides.
func IsDocKey(key string) bool {
	return docKeys[key]
}
