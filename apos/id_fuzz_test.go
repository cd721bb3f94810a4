package apos

import (
	"strings"
	"testing"
)

// FuzzParseID checks the _id parser over any string: it never panics, an
// _id it accepts formats back to the same string, and each part it
// accepts is in Apostrophe's id alphabet.
func FuzzParseID(f *testing.F) {
	for _, s := range []string{
		"", "P-1001", "P-1001:en:draft", "P-1001:en:published", "a:b", "a:b:c:d", "::", "a::draft",
		":en:draft", "P 1:en:draft", "P-1001:en:draft\x00", "b64-YQ", "ünï:en:draft", "1' OR 1=1 --",
		strings.Repeat("a", 4096) + ":en:draft",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := ParseID(s)
		if !ok {
			return
		}
		if got := id.String(); got != s {
			t.Fatalf("ParseID(%q) = %+v, which formats as %q", s, id, got)
		}
		if got := string(AppendID(nil, id.DocID, Scope{Locale: id.Locale, Mode: id.Mode})); got != s {
			t.Fatalf("AppendID of ParseID(%q) = %q", s, got)
		}
		if (id.Locale == "") != (id.Mode == "") {
			t.Fatalf("ParseID(%q) = %+v: a locale without a mode or the reverse", s, id)
		}
		for _, part := range []string{id.DocID, id.Locale, string(id.Mode)} {
			if part != "" && !validIDPart(part) {
				t.Fatalf("ParseID(%q) accepted the part %q", s, part)
			}
		}
		if id.DocID == "" {
			t.Fatalf("ParseID(%q) accepted an empty aposDocId", s)
		}
	})
}

// FuzzKeyRoundTrip checks EncodeKey and DecodeKey over any legacy key:
// every key becomes a bare aposDocId that ParseID accepts and that decodes
// back to the key, and DecodeKey accepts only what EncodeKey produces.
func FuzzKeyRoundTrip(f *testing.F) {
	for _, s := range []string{
		"", "P-1001", "42", "b64-", "b64-YQ", "b64-YQ==", "b64-!!", "a b", "a:b:c", "ü", "\x00", "\xff\xfe",
		"' OR 1=1 --", "\"; DROP TABLE products; --", "`x`", "$1", "../../etc/passwd", strings.Repeat("k", 1000),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		enc := EncodeKey(key)
		id, ok := ParseID(enc)
		if !ok || id.Locale != "" || id.DocID != enc {
			t.Fatalf("EncodeKey(%q) = %q, which is not a bare aposDocId (%+v, %v)", key, enc, id, ok)
		}
		dec, ok := DecodeKey(enc)
		if !ok || dec != key {
			t.Fatalf("DecodeKey(EncodeKey(%q)) = %q, %v", key, dec, ok)
		}
		// key read as an aposDocId: accepted only when EncodeKey gives it.
		if dec, ok := DecodeKey(key); ok && EncodeKey(dec) != key {
			t.Fatalf("DecodeKey(%q) = %q, but EncodeKey(%q) = %q", key, dec, dec, EncodeKey(dec))
		}
	})
}
