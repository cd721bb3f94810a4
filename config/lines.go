package config

// KeyLines maps key paths of the TOML document src onto their lines, for
// errors found after Load, such as validate -live's: the line of a path
// the file writes, or of its nearest written parent (the table a missing
// key belongs in); 0 when the file writes neither.
func KeyLines(src []byte) func(path string) int {
	l := &errorList{lines: locate(string(src))}
	return l.line
}
