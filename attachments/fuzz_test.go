package attachments

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/config"
)

// FuzzReceive feeds any body to the multipart reader of the upload: it
// never panics, refuses with invalid or toolarge, and a file it accepts
// is within the limit.
func FuzzReceive(f *testing.F) {
	f.Add([]byte("--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nxyz\r\n--B--\r\n"))
	f.Add([]byte("--B\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../b.txt\"\r\n\r\n\r\n--B--"))
	f.Add([]byte("--B\r\n\r\n--B--"))
	s := &Service{cfg: config.Attachments{MaxBytes: 1 << 12}, tmpDir: f.TempDir()}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := s.receive(bytes.NewReader(body), "B")
		if err != nil {
			if e, ok := apos.AsError(err); !ok || e.Name != "invalid" && e.Name != "toolarge" {
				t.Fatalf("error %v", err)
			}
			return
		}
		defer got.discard()
		if got.length > s.cfg.MaxBytes {
			t.Fatalf("accepted %d bytes", got.length)
		}
	})
}

// FuzzSanitizeSVG: what the sanitizer keeps is well-formed XML with an
// <svg> root and no script, event handler or javascript: reference.
func FuzzSanitizeSVG(f *testing.F) {
	f.Add(`<svg xmlns="http://www.w3.org/2000/svg" onload="x()"><script>x()</script><rect onclick="y"/></svg>`)
	f.Add(`<svg><a xlink:href="javascript:x()"><circle/></a><use href="#a"/></svg>`)
	f.Fuzz(func(t *testing.T, doc string) {
		out, err := sanitizeSVG(strings.NewReader(doc))
		if err != nil {
			return
		}
		dec := xml.NewDecoder(bytes.NewReader(out))
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatalf("not XML: %v\n%s", err, out)
			}
			if se, ok := tok.(xml.StartElement); ok {
				if !svgElements[se.Name.Local] {
					t.Fatalf("element %q kept", se.Name.Local)
				}
				for _, a := range se.Attr {
					v := strings.ToLower(a.Value)
					if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") || strings.Contains(v, "javascript:") {
						t.Fatalf("attribute %s=%q kept", a.Name.Local, a.Value)
					}
				}
			}
		}
	})
}
