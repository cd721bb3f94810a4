// Package attachments serves Apostrophe's attachments
// (docs/api-rules.md#190 to #199): the upload route, which checks,
// measures and scales what it receives and stores it; the crop route; and
// the files under /uploads. Its files live in a local directory or an
// S3-compatible bucket, its metadata in the table aposproxy_attachments.
package attachments

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/aposproxy/aposproxy/apos"
	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/endpoint"
	"github.com/valyala/fasthttp"
)

// Databases opens the configured databases (backends.Set).
type Databases interface {
	Database(ctx context.Context, cfg *config.Config, name string) (*sqldb.DB, error)
}

// Service is the attachments of one configuration.
type Service struct {
	cfg     config.Attachments
	types   fileTypes
	files   Storage
	meta    *metaStore
	tmpDir  string
	base    string        // URL of /uploads: base_url + "/uploads"
	prefix  string        // the API prefix
	slots   chan struct{} // uploads and crops processed at once
	timeout time.Duration
	log     *slog.Logger
	closers []func()
}

// New opens the storage and the metadata table of cfg's [attachments].
// Close releases what it opened.
func New(ctx context.Context, cfg *config.Config, dbs Databases, log *slog.Logger) (_ *Service, err error) {
	a := cfg.Attachments
	s := &Service{cfg: a, types: newFileTypes(a), base: a.BaseURL + "/uploads", prefix: cfg.Server.Prefix,
		slots: make(chan struct{}, a.MaxConcurrent), timeout: cfg.Server.RequestTimeout.Duration, log: log}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if s.files, err = openStorage(ctx, a); err != nil {
		return nil, fmt.Errorf("attachments: %w", err)
	}
	s.tmpDir = filepath.Join(a.Dir, ".tmp")
	if err := os.MkdirAll(s.tmpDir, 0o700); err != nil {
		return nil, fmt.Errorf("attachments.dir: %w", err)
	}
	db, err := s.database(ctx, cfg, dbs)
	if err != nil {
		return nil, err
	}
	if s.meta, err = newMetaStore(ctx, db); err != nil {
		return nil, fmt.Errorf("attachments: %s: %w", metaTable, err)
	}
	return s, nil
}

// database is the [attachments] database, or its own SQLite file.
func (s *Service) database(ctx context.Context, cfg *config.Config, dbs Databases) (*sqldb.DB, error) {
	if name := s.cfg.Database; name != "" {
		db, err := dbs.Database(ctx, cfg, name)
		if err != nil {
			return nil, fmt.Errorf("attachments.database: %w", err)
		}
		return db, nil
	}
	db, err := sqldb.OpenFile(ctx, s.cfg.File)
	if err != nil {
		return nil, fmt.Errorf("attachments.file: %w", err)
	}
	s.closers = append(s.closers, func() { db.Close() })
	return db, nil
}

// openStorage is the bucket of [attachments.s3] when it has an endpoint,
// else the directory.
func openStorage(ctx context.Context, a config.Attachments) (Storage, error) {
	if a.S3.Endpoint != "" {
		return newS3Storage(ctx, a.S3)
	}
	return newLocalStorage(a.Dir)
}

// Close releases what New opened.
func (s *Service) Close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
	s.closers = nil
}

// Routes are the upload and crop routes and the files under /uploads.
// Upload and crop take contributors and above: their handlers refuse
// others with Apostrophe's own 403 body, so the routes let everyone in.
func (s *Service) Routes() []endpoint.Route {
	base := s.prefix + "/@apostrophecms/attachment/"
	return []endpoint.Route{
		{Name: "attachments", Method: fasthttp.MethodPost, Path: base + "upload", MinRole: apos.Anonymous,
			StreamBody: true, Handler: s.upload},
		{Name: "attachments", Method: fasthttp.MethodPost, Path: base + "crop", MinRole: apos.Anonymous, Handler: s.crop},
		{Name: "attachments", Method: fasthttp.MethodGet, Path: "/uploads/{path:*}", MinRole: apos.Anonymous, Handler: s.serve},
	}
}

// acquire waits for a processing slot until ctx ends (503 then).
func (s *Service) acquire(ctx context.Context) (func(), error) {
	select {
	case s.slots <- struct{}{}:
		return func() { <-s.slots }, nil
	case <-ctx.Done():
		return nil, apos.Errorf(apos.ErrUnavailable, "Too many uploads at once; try again later.")
	}
}

// forbidden answers a caller without the upload-attachment permission
// with Apostrophe's body ({type, message}), plus the name and data every
// error of the API has (docs/api-rules.md#190).
func forbidden(r *endpoint.Request) ([]byte, error) {
	r.SetStatus(fasthttp.StatusForbidden)
	return []byte(`{"type":"forbidden","name":"forbidden","data":{},"message":"You do not have permission to upload a file"}`), nil
}
