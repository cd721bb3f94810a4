package config

import "testing"

func TestLocate(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		want   map[string]int
		absent []string // paths that must not be taken for keys
	}{
		{
			name: "tables and keys",
			src:  "[server]\nlisten = \"x\"\n\n[types.product]\ntable = \"p\"\n",
			want: map[string]int{"server": 1, "server.listen": 2, "types.product": 4, "types.product.table": 5},
		},
		{
			name: "arrays of tables get their index",
			src:  "[[t.f]]\nname = \"a\"\n[[t.f]]\nname = \"b\"\ncolum = 1\n[[t.f]]\nname = \"c\"\n",
			want: map[string]int{"t.f[0].name": 2, "t.f[1]": 3, "t.f[1].colum": 5, "t.f[2].name": 7},
		},
		{
			name: "nested arrays of tables and sub-tables",
			src:  "[[a]]\n[[a.b]]\nx = 1\n[[a]]\n[[a.b]]\ny = 1\n[a.c]\nz = 1\n",
			want: map[string]int{"a[0].b[0].x": 3, "a[1]": 4, "a[1].b[0].y": 6, "a[1].c.z": 8},
		},
		{
			name: "inline tables and dotted keys",
			src:  "[t]\nmode = { column = \"s\", values = { live = \"published\" } }\nlocale.column = \"lang\"\n",
			want: map[string]int{"t.mode.column": 2, "t.mode.values.live": 2, "t.locale": 3, "t.locale.column": 3},
		},
		{
			name: "arrays across lines, with inline tables",
			src:  "choices = [\n  \"red\", # a comment = 1\n  { value = \"x\", lbl = \"y\" },\n]\nnext = 1\n",
			want: map[string]int{"choices[0]": 2, "choices[1]": 3, "choices[1].lbl": 3, "next": 5},
		},
		{
			name:   "strings that look like keys",
			src:    "a = \"\"\"\nb = 1\n\"\"\"\nc = 'd = [1'\ne = \"x\\\" = 2\"\nf = '''\n[g]\n'''\nh = 1\n",
			want:   map[string]int{"a": 1, "c": 4, "e": 5, "f": 6, "h": 9},
			absent: []string{"b", "d", "g"},
		},
		{
			name: "quoted keys are unquoted, then quoted in paths",
			src:  "[types.\"@apostrophecms/user\"]\n\"table\" = 'users'\n",
			want: map[string]int{`types."@apostrophecms/user"`: 1, `types."@apostrophecms/user".table`: 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := locate(tt.src)
			for path, line := range tt.want {
				if got[path] != line {
					t.Errorf("line of %s = %d, want %d (all: %v)", path, got[path], line, got)
				}
			}
			for _, path := range tt.absent {
				if _, ok := got[path]; ok {
					t.Errorf("%s inside a string was taken for a key", path)
				}
			}
		})
	}
}

// TestLocateTerminates feeds the scanner input it was not written for:
// it must stop, whatever it finds.
func TestLocateTerminates(t *testing.T) {
	for _, src := range []string{"", "[", "[[", "=", "a = {", "a = [", "a = \"", "a = '''", "\"", "a.", "]]]", "a = { b", "\uFEFF[x]"} {
		t.Run(src, func(t *testing.T) {
			locate(src)
		})
	}
}
