package attachments

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"os"
	"strconv"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/endpoint"
)

// upload serves POST /api/v1/@apostrophecms/attachment/upload
// (docs/api-rules.md#190 to #194): exactly one file, in the field "file",
// of a multipart body no larger than max_bytes, read as a stream into a
// temporary file; then checked, measured, scaled and stored, one slot of
// max_concurrent at a time.
func (s *Service) upload(r *endpoint.Request) ([]byte, error) {
	if r.Who.Role < apos.Contributor {
		return forbidden(r)
	}
	if int64(r.ContentLength()) > s.cfg.MaxBytes {
		return nil, s.tooLarge()
	}
	_, params, err := mime.ParseMediaType(r.Header("Content-Type"))
	if err != nil || params["boundary"] == "" {
		return nil, apos.ErrInvalid
	}
	f, err := s.receive(r.BodyStream(), params["boundary"])
	if err != nil {
		return nil, err
	}
	defer f.discard()
	release, err := s.acquire(r.Context)
	if err != nil {
		return nil, err
	}
	defer release()
	a, g, err := s.process(f)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	if err := s.meta.insert(ctx, a); err != nil {
		return nil, err
	}
	return a.annotate(s.base, nil, g), nil
}

// tooLarge answers a body over max_bytes (413).
func (s *Service) tooLarge() error {
	return &apos.Error{Name: "toolarge", Message: "The file is larger than the limit of " +
		strconv.FormatInt(s.cfg.MaxBytes, 10) + " bytes."}
}

// received is the uploaded file, in a temporary file.
type received struct {
	file     *os.File
	filename string
	length   int64
	md5      string
}

// discard removes the temporary file.
func (f *received) discard() {
	if f != nil {
		f.file.Close()
		os.Remove(f.file.Name())
	}
}

// receive reads the multipart body: the one file of the field "file" goes
// to a temporary file, other fields are read and dropped. No file, a file
// in another field or a second file is 400 invalid; more than max_bytes
// in all is 413, as soon as the limit is passed.
func (s *Service) receive(body io.Reader, boundary string) (got *received, err error) {
	lr := &limitReader{r: body, left: s.cfg.MaxBytes}
	defer func() {
		if err != nil {
			got.discard()
			if lr.over {
				err = s.tooLarge()
			} else if _, ok := apos.AsError(err); !ok {
				err = apos.ErrInvalid
			}
		}
	}()
	mr := multipart.NewReader(lr, boundary)
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return got, err
		}
		if p.FileName() == "" {
			if _, err := io.Copy(io.Discard, p); err != nil {
				return got, err
			}
			continue
		}
		if p.FormName() != "file" || got != nil {
			return got, apos.ErrInvalid
		}
		if got, err = s.saveTemp(p); err != nil {
			return got, err
		}
	}
	if got == nil {
		return nil, apos.ErrInvalid
	}
	return got, nil
}

// saveTemp copies the file part p to a temporary file, with its length
// and MD5 sum.
func (s *Service) saveTemp(p *multipart.Part) (*received, error) {
	tmp, err := os.CreateTemp(s.tmpDir, "upload-*")
	if err != nil {
		return nil, err
	}
	f := &received{file: tmp, filename: p.FileName()}
	h := md5.New()
	f.length, err = io.Copy(io.MultiWriter(tmp, h), p)
	f.md5 = hex.EncodeToString(h.Sum(nil))
	if err != nil {
		f.discard()
		return nil, err
	}
	return f, nil
}

// limitReader reads at most left bytes from r, then fails.
type limitReader struct {
	r    io.Reader
	left int64
	over bool
}

var errLimit = errors.New("attachments: upload over max_bytes")

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		l.over = true
		return 0, errLimit
	}
	if int64(len(p)) > l.left {
		p = p[:l.left+1] // one byte more tells a body at the limit from one over it
	}
	n, err := l.r.Read(p)
	if int64(n) > l.left {
		l.over = true
		return int(l.left), errLimit
	}
	l.left -= int64(n)
	return n, err
}
