package config

import (
	"strconv"
	"strings"
)

// joinKey appends one TOML key segment to a key path, quoting the segment
// the way TOML would need it (types."@apostrophecms/user"), so that a path
// in an error message can be searched for in the file.
func joinKey(path, seg string) string {
	if !isBareKey(seg) {
		seg = strconv.Quote(seg)
	}
	if path == "" {
		return seg
	}
	return path + "." + seg
}

// indexKey appends an array index to a key path: fields[2].
func indexKey(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// isBareKey reports whether s can be written as a bare TOML key.
func isBareKey(s string) bool {
	if s == "" {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	}) < 0
}
