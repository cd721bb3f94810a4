package apos

import (
	"slices"
	"testing"
)

func TestEncodeKeysRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		parts []string
		want  string
	}{
		{[]string{"16", "3500"}, "16_3500"},
		{[]string{"-1", "a-b"}, "-1_a-b"},
		{[]string{"a_b", "c"}, ""},
		{[]string{"x/y", "~"}, ""},
		{[]string{"b64-x", "1"}, ""},
		{[]string{"", "1"}, ""},
		{[]string{"é", "ü", "3"}, ""},
	} {
		id := EncodeKeys(tc.parts)
		if tc.want != "" && id != tc.want {
			t.Errorf("EncodeKeys(%q) = %q, want %q", tc.parts, id, tc.want)
		}
		if _, ok := ParseID(id); !ok {
			t.Errorf("EncodeKeys(%q) = %q is not an aposDocId", tc.parts, id)
		}
		back, ok := DecodeKeys(id, len(tc.parts))
		if !ok || !slices.Equal(back, tc.parts) {
			t.Errorf("DecodeKeys(%q) = %q, %v, want %q", id, back, ok, tc.parts)
		}
		if text := JoinKey(tc.parts); !slices.Equal(must(SplitKey(text, len(tc.parts))), tc.parts) {
			t.Errorf("SplitKey(JoinKey(%q)) differs", tc.parts)
		}
	}
	for _, bad := range []string{"16", "16_35_00", "b64-!!", "b64-MTY", "16__"} {
		if parts, ok := DecodeKeys(bad, 2); ok {
			t.Errorf("DecodeKeys(%q, 2) = %q, want not ok", bad, parts)
		}
	}
}

func must(parts []string, ok bool) []string {
	if !ok {
		return nil
	}
	return parts
}
