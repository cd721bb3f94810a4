package attachments

import (
	"bufio"
	"bytes"
	"image"
	_ "image/gif" // the formats DecodeConfig knows
	_ "image/jpeg"
	_ "image/png"
	"io"
	"net/http"
	"unicode/utf8"

	"github.com/aposproxy/aposproxy/apos"
	_ "golang.org/x/image/webp"
)

// The file's content decides what it is, never its name or the type the
// client declared (docs/api-rules.md#192).

// rasterExt is the extension of each format image.DecodeConfig knows.
var rasterExt = map[string]string{"png": "png", "jpeg": "jpg", "gif": "gif", "webp": "webp"}

// measure reads the header of a raster image: its extension from its
// format, and its size. ok is false when the content is no image of a
// known format.
func measure(r io.Reader) (ext string, cfg image.Config, ok bool) {
	cfg, format, err := image.DecodeConfig(bufio.NewReader(r))
	if err != nil {
		return "", cfg, false
	}
	ext, ok = rasterExt[format]
	return ext, cfg, ok
}

// errTooManyPixels refuses an image larger than max_pixels, from its
// header, before it is decoded.
func errTooManyPixels(w, h int, limit int64) error {
	return apos.Errorf(apos.ErrInvalid, "The image is too large: %d×%d pixels, the limit is %d pixels.", w, h, limit)
}

// magic is what a file of each known extension starts with; a file that
// does not is refused. Text formats are checked by matchesExtension itself.
var magic = map[string][][]byte{
	"pdf": {[]byte("%PDF-")},
	"rtf": {[]byte(`{\rtf`)},
	"doc": {ole}, "xls": {ole}, "ppt": {ole},
	"docx": {zip}, "dotx": {zip}, "xlsx": {zip}, "xltx": {zip},
	"pptx": {zip}, "potx": {zip}, "ppsx": {zip}, "sldx": {zip},
}

var (
	ole = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	zip = []byte("PK\x03\x04")
)

// textExt are the extensions of plain text.
var textExt = map[string]bool{"txt": true, "csv": true}

// matchesExtension says whether head, the start of a file that is not an
// image, fits its extension: the magic bytes of a known binary format;
// for text, no NUL byte, valid UTF-8 (but for a character cut at the
// end), and nothing a browser would take for HTML. An extension the
// proxy knows nothing of (a configured group) is accepted as it is.
func matchesExtension(ext string, head []byte) bool {
	if textExt[ext] {
		if bytes.IndexByte(head, 0) >= 0 {
			return false
		}
		valid := head
		for i := 0; i < utf8.UTFMax && len(valid) > 0 && !utf8.Valid(valid); i++ {
			valid = valid[:len(valid)-1]
		}
		return utf8.Valid(valid) && !bytes.HasPrefix([]byte(http.DetectContentType(head)), []byte("text/html"))
	}
	prefixes, known := magic[ext]
	if !known {
		return true
	}
	for _, p := range prefixes {
		if bytes.HasPrefix(head, p) {
			return true
		}
	}
	return false
}
