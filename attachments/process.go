package attachments

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"time"

	"github.com/aposproxy/aposproxy/apos"
)

// process checks the received file against its extension and content,
// makes its sizes when it is a raster image (or its safe copy when it is
// an SVG), and stores every file. It returns the attachment to record.
func (s *Service) process(f *received) (*Attachment, Group, error) {
	base, ext := splitName(f.filename)
	ext, g, err := s.types.lookup(ext)
	if err != nil {
		return nil, g, err
	}
	a := &Attachment{ID: newID(), Group: g.Name, CreatedAt: time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		Name: slugName(base), Title: sortify(base), Extension: ext, Type: "attachment",
		DocIDs: []string{}, ArchivedDocIDs: []string{}, Length: f.length, MD5: f.md5}
	var original []byte
	var sized []rendition
	switch {
	case g.Image:
		original, sized, err = s.processImage(a, f)
	default:
		head := make([]byte, 8192)
		n, _ := f.file.ReadAt(head, 0)
		if !matchesExtension(ext, head[:n]) {
			err = errNotAccepted
		}
	}
	if err != nil {
		return nil, g, err
	}
	return a, g, s.storeFiles(a, f, original, sized)
}

// processImage measures a raster image from its header, refuses one over
// max_pixels before decoding it, and scales it; an SVG is sanitized
// instead (or refused, by configuration). It returns the original's
// bytes when they replace the received file, and the sizes.
func (s *Service) processImage(a *Attachment, f *received) ([]byte, []rendition, error) {
	ext, cfg, ok := measure(io.NewSectionReader(f.file, 0, f.length))
	if !ok {
		if a.Extension != "svg" {
			return nil, nil, errNotAccepted
		}
		return s.processSVG(a, f)
	}
	if _, g, err := s.types.lookup(ext); err != nil || g.Name != a.Group {
		return nil, nil, errNotAccepted
	}
	if int64(cfg.Width)*int64(cfg.Height) > s.cfg.MaxPixels {
		return nil, nil, errTooManyPixels(cfg.Width, cfg.Height, s.cfg.MaxPixels)
	}
	a.Extension, a.Width, a.Height = ext, cfg.Width, cfg.Height
	a.Landscape, a.Portrait = a.Width > a.Height, a.Width <= a.Height
	original, err := io.ReadAll(io.NewSectionReader(f.file, 0, f.length))
	if err != nil {
		return nil, nil, err
	}
	img, err := decode(bytes.NewReader(original))
	if err != nil {
		return nil, nil, errNotAccepted
	}
	sized, err := scaleAll(img, ext, original)
	return original, sized, err
}

// processSVG keeps the sanitized copy of an SVG as its original.
func (s *Service) processSVG(a *Attachment, f *received) ([]byte, []rendition, error) {
	if s.cfg.SVG == "refuse" {
		return nil, nil, apos.Errorf(apos.ErrInvalid, "SVG files are not accepted.")
	}
	clean, err := sanitizeSVG(io.NewSectionReader(f.file, 0, f.length))
	if err != nil {
		return nil, nil, errNotAccepted
	}
	sum := md5.Sum(clean)
	a.Length, a.MD5 = int64(len(clean)), hex.EncodeToString(sum[:])
	return clean, nil, nil
}

// storeFiles stores the original (original, or the received file when
// nil) and each size.
func (s *Service) storeFiles(a *Attachment, f *received, original []byte, sized []rendition) error {
	ctx, cancel := context.WithTimeout(context.Background(), 4*s.timeout)
	defer cancel()
	var r io.Reader = io.NewSectionReader(f.file, 0, f.length)
	n := f.length
	if original != nil {
		r, n = bytes.NewReader(original), int64(len(original))
	}
	if err := s.files.Put(ctx, a.key(nil, ""), r, n); err != nil {
		return err
	}
	return s.putSizes(ctx, a, nil, sized)
}

// putSizes stores the sizes of a (in crop c, or uncropped when nil).
func (s *Service) putSizes(ctx context.Context, a *Attachment, c *Crop, sized []rendition) error {
	for _, r := range sized {
		if err := s.files.Put(ctx, a.key(c, r.size), bytes.NewReader(r.data), int64(len(r.data))); err != nil {
			return err
		}
	}
	return nil
}
