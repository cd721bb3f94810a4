package attachments

import (
	"context"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/aposproxy/aposproxy/apos"
)

// Storage keeps the files of attachments under keys such as
// "attachments/<id>-<name>.max.jpg": a local directory (the default) or an
// S3-compatible bucket.
type Storage interface {
	// Put stores size bytes read from r under key.
	Put(ctx context.Context, key string, r io.Reader, size int64) error
	// Get opens the file of key, or returns apos.ErrNotFound.
	Get(ctx context.Context, key string) (File, error)
}

// File is a stored file, open for reading.
type File interface {
	io.ReadSeekCloser
	Size() int64
	ModTime() time.Time
}

// safeKey says whether key may name a stored file: a clean, relative
// slash path without "..", backslashes or NUL, so that it never leaves
// the storage root (docs/api-rules.md#195).
func safeKey(key string) bool {
	return key != "" && path.Clean(key) == key && !strings.HasPrefix(key, "/") &&
		!strings.Contains(key, "..") && !strings.ContainsAny(key, "\\\x00") && !strings.HasPrefix(key, ".")
}

// localStorage keeps the files in a directory.
type localStorage struct{ root string }

func newLocalStorage(dir string) (*localStorage, error) {
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(root, "attachments"), 0o755); err != nil {
		return nil, err
	}
	return &localStorage{root: root}, nil
}

// file is the path of key, or false when key would leave the root.
func (l *localStorage) file(key string) (string, bool) {
	if !safeKey(key) {
		return "", false
	}
	p := filepath.Join(l.root, filepath.FromSlash(key))
	return p, strings.HasPrefix(p, l.root+string(filepath.Separator))
}

// Put writes to a temporary file beside the target and renames it, so
// that a reader never sees half a file.
func (l *localStorage) Put(_ context.Context, key string, r io.Reader, _ int64) error {
	p, ok := l.file(key)
	if !ok {
		return apos.ErrInvalid
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".put-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename, a no-op
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}

func (l *localStorage) Get(_ context.Context, key string) (File, error) {
	p, ok := l.file(key)
	if !ok {
		return nil, apos.ErrNotFound
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, apos.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, apos.ErrNotFound
	}
	return osFile{f, st}, nil
}

type osFile struct {
	*os.File
	st os.FileInfo
}

func (f osFile) Size() int64        { return f.st.Size() }
func (f osFile) ModTime() time.Time { return f.st.ModTime() }
