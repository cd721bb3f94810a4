package sqlbackend

import "testing"

// TestSlugBaseFromKey: a title that gives no slug takes the key's.
func TestSlugBaseFromKey(t *testing.T) {
	for _, tc := range [][3]string{{"?", "42", "42"}, {"Blue Chair", "42", "blue-chair"}, {"?", "!", "none"}} {
		if got := slugBase(tc[0], tc[1]); got != tc[2] {
			t.Errorf("slugBase(%q, %q) = %q, want %q", tc[0], tc[1], got, tc[2])
		}
	}
}
