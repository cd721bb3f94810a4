package loadgen

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
)

// readTargets reads a -targets file, in vegeta's http format: targets
// separated by blank lines, each a "METHOD URL" line, then header lines
// ("Name: value") and an optional "@file" line naming its body; lines
// starting with # are comments.
func readTargets(r io.Reader) ([]request, error) {
	var out []request
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if strings.HasPrefix(text, "@") {
			if len(out) == 0 {
				return nil, fmt.Errorf("line %d: a body before any target", line)
			}
			body, err := os.ReadFile(strings.TrimSpace(text[1:]))
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			out[len(out)-1].body = body
			continue
		}
		if name, value, ok := strings.Cut(text, ":"); ok && len(out) > 0 && !strings.ContainsAny(name, " \t") {
			t := &out[len(out)-1]
			if t.header == nil {
				t.header = http.Header{}
			}
			t.header.Add(strings.TrimSpace(name), strings.TrimSpace(value))
			continue
		}
		method, url, ok := strings.Cut(text, " ")
		url = strings.TrimSpace(url)
		if !ok || url == "" || strings.ToUpper(method) != method {
			return nil, fmt.Errorf("line %d: %q is not METHOD URL", line, text)
		}
		if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
			return nil, fmt.Errorf("line %d: %q is not an http(s) URL", line, url)
		}
		out = append(out, request{method: method, url: url})
	}
	return out, sc.Err()
}
