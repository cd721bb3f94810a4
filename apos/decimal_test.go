package apos

import "testing"

func TestParseDecimal(t *testing.T) {
	for _, tc := range []struct {
		in   string
		p, s int
		want string
		ok   bool
	}{
		{"1.1", 10, 2, "1.10", true},
		{"1.100", 10, 2, "1.10", true},
		{"1.999", 10, 2, "", false},
		{"-0.5", 10, 2, "-0.50", true},
		{"-0", 10, 2, "0.00", true},
		{"1e2", 5, 2, "100.00", true},
		{"1e3", 5, 2, "", false},
		{"12345678.99", 10, 2, "12345678.99", true},
		{"123456789", 10, 2, "", false},
		{"2.5e-1", 4, 2, "0.25", true},
		{".5", 3, 1, "0.5", true},
		{"7", 5, 0, "7", true},
		{"abc", 5, 0, "", false},
		{"1e99999", 5, 0, "", false},
		{"", 5, 0, "", false},
	} {
		got, ok := ParseDecimal(tc.in, tc.p, tc.s)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseDecimal(%q, %d, %d) = %q, %v; want %q, %v", tc.in, tc.p, tc.s, got, ok, tc.want, tc.ok)
		}
	}
}
