package attachments

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/endpoint"
	"github.com/valyala/fasthttp"
)

// contentTypes are the types the files are served with, by extension;
// anything else is application/octet-stream.
var contentTypes = map[string]string{
	"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp", "svg": "image/svg+xml",
	"pdf": "application/pdf", "txt": "text/plain; charset=utf-8", "csv": "text/csv; charset=utf-8",
	"rtf": "application/rtf", "doc": "application/msword", "xls": "application/vnd.ms-excel",
	"ppt":  "application/vnd.ms-powerpoint",
	"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"dotx": "application/vnd.openxmlformats-officedocument.wordprocessingml.template",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"xltx": "application/vnd.openxmlformats-officedocument.spreadsheetml.template",
	"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"potx": "application/vnd.openxmlformats-officedocument.presentationml.template",
	"ppsx": "application/vnd.openxmlformats-officedocument.presentationml.slideshow",
	"sldx": "application/vnd.openxmlformats-officedocument.presentationml.slide",
}

// serve answers GET /uploads/attachments/<file> (docs/api-rules.md#195):
// the stored file with its type, marked nosniff (the front door's),
// cached for a year (a file never changes under its name), as a download
// when it is not an image, sandboxed by a Content-Security-Policy, and
// one byte range when asked. A path that is not such a file is 404.
func (s *Service) serve(r *endpoint.Request) ([]byte, error) {
	key := r.Param("path")
	name, ok := strings.CutPrefix(key, "attachments/")
	if !ok || strings.ContainsAny(name, "/\\") || !safeKey(key) {
		return nil, apos.ErrNotFound
	}
	ext := name[strings.LastIndexByte(name, '.')+1:]
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	f, err := s.files.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	ct, known := contentTypes[ext]
	if !known {
		ct = "application/octet-stream"
	}
	r.SetHeader("Cache-Control", "public, max-age=31536000, immutable")
	r.SetHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	r.SetHeader("Last-Modified", f.ModTime().UTC().Format(http.TimeFormat))
	r.SetHeader("Accept-Ranges", "bytes")
	if g, ok := s.types.groups[ext]; !ok || !g.Image {
		r.SetHeader("Content-Disposition", `attachment; filename="`+name+`"`)
	}
	return nil, sendRange(r, f, ct)
}

// sendRange sends f whole, or the one range the Range header asks for
// (206), or 416 for a range past its end. A header that is not one
// byte range is ignored, as HTTP allows.
func sendRange(r *endpoint.Request, f File, ct string) error {
	size := f.Size()
	start, end, ok := parseRange(r.Header("Range"), size)
	switch {
	case !ok:
		r.SetBody(ct, f, int(size))
		return nil
	case start >= size:
		f.Close()
		r.SetHeader("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
		r.SetStatus(fasthttp.StatusRequestedRangeNotSatisfiable)
		r.SetBody(ct, strings.NewReader(""), 0)
		return nil
	}
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		f.Close()
		return err
	}
	r.SetHeader("Content-Range", "bytes "+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(end, 10)+"/"+strconv.FormatInt(size, 10))
	r.SetStatus(fasthttp.StatusPartialContent)
	r.SetBody(ct, readCloser{io.LimitReader(f, end-start+1), f}, int(end-start+1))
	return nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// parseRange reads "bytes=a-b", "bytes=a-" or "bytes=-n" against a file
// of size bytes; ok is false for no header or one that is not a single
// byte range. start >= size means unsatisfiable.
func parseRange(h string, size int64) (start, end int64, ok bool) {
	spec, found := strings.CutPrefix(h, "bytes=")
	a, b, dash := strings.Cut(spec, "-")
	if !found || !dash || strings.Contains(spec, ",") {
		return 0, 0, false
	}
	first, errA := strconv.ParseInt(a, 10, 64)
	last, errB := strconv.ParseInt(b, 10, 64)
	switch {
	case size == 0:
		return 0, 0, true // nothing to range over: 416
	case a == "" && errB == nil && last > 0: // the last n bytes
		return max(0, size-last), size - 1, true
	case errA != nil || first < 0 || b != "" && (errB != nil || last < first):
		return 0, 0, false
	case first >= size:
		return size, size, true
	case b == "" || last >= size:
		return first, size - 1, true
	}
	return first, last, true
}
