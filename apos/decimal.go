package apos

// ParseDecimal reads s, a JSON number or the text of one ("1.5", "-0.25",
// "12", "1e2"), as a decimal with at most precision digits, scale of them
// after the point, and returns it written with exactly scale decimals
// ("1.50"): the form decimals take on the wire and in binds
// (docs/api-rules.md#120). Nothing goes through a float: the digits are
// moved as text. ok is false when s is not a number or does not fit
// (more digits after the point than scale, other than trailing zeros, or
// more than precision-scale before it).
func ParseDecimal(s string, precision, scale int) (string, bool) {
	neg, intPart, frac, exp, ok := splitNumber(s)
	if !ok {
		return "", false
	}
	// Shift the point by the exponent, moving digits between the parts.
	for ; exp > 0; exp-- {
		if frac == "" {
			intPart += "0"
		} else {
			intPart, frac = intPart+frac[:1], frac[1:]
		}
	}
	for ; exp < 0; exp++ {
		if intPart == "" {
			frac = "0" + frac
		} else {
			intPart, frac = intPart[:len(intPart)-1], intPart[len(intPart)-1:]+frac
		}
		if len(frac) > 4*precision+64 {
			return "", false
		}
	}
	for len(intPart) > 0 && intPart[0] == '0' {
		intPart = intPart[1:]
	}
	for len(frac) > 0 && frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	if len(frac) > scale || len(intPart) > precision-scale {
		return "", false
	}
	b := make([]byte, 0, len(intPart)+scale+3)
	if neg && (intPart != "" || frac != "") {
		b = append(b, '-')
	}
	if intPart == "" {
		b = append(b, '0')
	}
	b = append(b, intPart...)
	if scale > 0 {
		b = append(b, '.')
		b = append(b, frac...)
		for i := len(frac); i < scale; i++ {
			b = append(b, '0')
		}
	}
	return string(b), true
}

// splitNumber splits a number in JSON's grammar (a leading + and a bare
// ".5" or "5." are accepted too, as form fields send them) into its sign,
// the digits before and after the point, and the exponent.
func splitNumber(s string) (neg bool, intPart, frac string, exp int, ok bool) {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	digits := func() string {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return s[start:i]
	}
	intPart = digits()
	if i < len(s) && s[i] == '.' {
		i++
		frac = digits()
	}
	if intPart == "" && frac == "" {
		return false, "", "", 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		sign := 1
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			if s[i] == '-' {
				sign = -1
			}
			i++
		}
		e := digits()
		if e == "" || len(e) > 4 {
			return false, "", "", 0, false
		}
		for _, c := range e {
			exp = exp*10 + int(c-'0')
		}
		exp *= sign
	}
	return neg, intPart, frac, exp, i == len(s)
}
