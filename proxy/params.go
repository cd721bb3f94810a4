package proxy

import (
	"bytes"
	"strconv"
	"strings"
)

// param is one query parameter in qs's bracket syntax: "sort[title]=1"
// is base "sort", sub "title"; "_ids[]=x" and "_ids[0]=x" have an empty
// or numeric sub.
type param struct {
	base, sub string
	bracket   bool
	value     string
}

// splitParam parses a decoded query key and its value.
func splitParam(k, v []byte) param {
	p := param{value: string(v)}
	i := bytes.IndexByte(k, '[')
	if i <= 0 || k[len(k)-1] != ']' {
		p.base = string(k)
		return p
	}
	p.base, p.sub, p.bracket = string(k[:i]), string(k[i+1:len(k)-1]), true
	return p
}

// isListSub reports whether a bracket sub addresses an array item
// ("" or a number), as opposed to an object key.
func isListSub(sub string) bool {
	if sub == "" {
		return true
	}
	_, err := strconv.Atoi(sub)
	return err == nil
}

// launderBool is Apostrophe's launder.boolean: strings starting with t, y
// or 1 are true; everything else is false.
func launderBool(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case 't', 'T', 'y', 'Y', '1':
		return true
	}
	return false
}

// launderTristate is launder.booleanOrNull: ok is false for "either"
// ("null", or a string starting with a, as in "any"). An empty value is
// false (fasthttp cannot tell a bare "?x" from "?x=").
func launderTristate(s string) (v, ok bool) {
	switch {
	case s == "null":
		return false, false
	case s == "":
		return false, true
	}
	switch s[0] {
	case 'a', 'A':
		return false, false
	case 't', 'T', 'y', 'Y', '1':
		return true, true
	}
	return false, true
}

// launderInt is launder.integer: parseInt's leading digits with a default
// and a minimum.
func launderInt(s string, def, min int) int {
	s = strings.TrimSpace(s)
	end := 0
	if end < len(s) && (s[0] == '-' || s[0] == '+') {
		end++
	}
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(s[:end])
	if err != nil {
		return def
	}
	if n < min {
		return min
	}
	return n
}

// splitList splits "a,b" and trims the items.
func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
