package proxy

import "testing"

func TestETagMatches(t *testing.T) {
	e := etagOf([]byte(`{"a":1}`))
	tag := string(e[:])
	tests := []struct {
		header string
		weakOK bool
		want   bool
	}{
		{tag, false, true},
		{"*", false, true},
		{`"other", ` + tag, false, true},
		{"W/" + tag, true, true},
		{"W/" + tag, false, false},
		{`"nope"`, true, false},
		{"", true, false},
		// the tag of the same body sent compressed (docs/api-rules.md#224)
		{tag[:17] + `-gzip"`, false, true},
		{tag[:17] + `-br"`, false, true},
		{"W/" + tag[:17] + `-br"`, true, true},
		{"W/" + tag[:17] + `-br"`, false, false},
		{tag[:17] + `-zip"`, true, false},
		{tag[:17] + `-"`, true, false},
		{tag[:16] + `-gzip"`, true, false},
	}
	for _, tt := range tests {
		if got := e.matches([]byte(tt.header), tt.weakOK); got != tt.want {
			t.Errorf("matches(%q, %v) = %v, want %v", tt.header, tt.weakOK, got, tt.want)
		}
	}
	if e2 := etagOf([]byte(`{"a":2}`)); e2 == e {
		t.Fatal("different bodies share an ETag")
	}
}

func TestAppendSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Nordic Sofa":        "nordic-sofa",
		"  Élan -- Chair!! ": "élan-chair",
		"A/B 2.0":            "a-b-2-0",
		"":                   "",
	} {
		if got := string(appendSlug(nil, in)); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}
