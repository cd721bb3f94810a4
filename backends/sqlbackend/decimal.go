package sqlbackend

import (
	"strconv"
)

// appendDecimal appends a decimal column's value as a JSON number with
// exactly scale digits after the point (docs/api-rules.md#120), whatever
// the engine gave: PostgreSQL's and MySQL's text ("1.10"), SQLite's REAL
// (1.1, kept by NUMERIC affinity), an integer, or text SQLite kept as it
// was. Digits are never dropped: a stored value with more decimals than
// the scale is shown with all of them. It allocates nothing.
func appendDecimal(dst []byte, c *cell, scale int) []byte {
	switch c.typ {
	case cellInt:
		dst = strconv.AppendInt(dst, c.i, 10)
		return appendZeros(dst, scale, true)
	case cellFloat:
		return strconv.AppendFloat(dst, c.f, 'f', scale, 64)
	case cellText:
		return appendDecimalText(dst, c.text, scale)
	}
	return nil
}

// appendDecimalText appends the decimal text b ("1.1", "-3", "0.500")
// with at least scale digits after the point; text in another form (an
// exponent) is appended as it is when it is a JSON number.
func appendDecimalText(dst, b []byte, scale int) []byte {
	point, ok := -1, len(b) > 0
	for i, ch := range b {
		switch {
		case ch >= '0' && ch <= '9':
		case ch == '-' && i == 0:
		case ch == '.' && point < 0:
			point = i
		default:
			ok = false
		}
	}
	if !ok {
		if isJSONNumber(b) {
			return append(dst, b...)
		}
		return nil
	}
	start := len(dst)
	if b[0] == '-' {
		dst, b = append(dst, '-'), b[1:]
		point--
	}
	if len(b) == 0 || b[0] == '.' {
		dst = append(dst, '0')
	}
	dst = append(dst, b...)
	if len(dst) == start+1 && dst[start] == '-' {
		return nil
	}
	frac := 0
	if point >= 0 {
		frac = len(b) - point - 1
	}
	return appendZeros(dst, scale-frac, point < 0)
}

// appendZeros appends n zeros, after a point when point is true and n > 0.
func appendZeros(dst []byte, n int, point bool) []byte {
	if n > 0 && point {
		dst = append(dst, '.')
	}
	for ; n > 0; n-- {
		dst = append(dst, '0')
	}
	return dst
}

// decimalText is a decimal column's value as text with scale decimals,
// as records carry it (adapters.Value), or nil for NULL.
func decimalText(c *cell, scale int) any {
	if c.typ == cellNull {
		return nil
	}
	if b := appendDecimal(nil, c, scale); b != nil {
		return string(b)
	}
	return string(c.appendText(nil))
}
