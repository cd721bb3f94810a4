package config

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
)

// Attachments configures Apostrophe's attachments (uploads, crops, the
// files served under /uploads): where the files and their metadata live,
// which file types are accepted, and the limits of an upload
// (docs/api-rules.md#190 to #199).
type Attachments struct {
	// Enabled serves the attachment routes; off, they are 501 like every
	// Apostrophe route aposproxy does not serve. Default false.
	Enabled bool `toml:"enabled"`
	// Database names the [databases] entry that holds the table
	// aposproxy_attachments. Default: that of [jobs].
	Database string `toml:"database"`
	// File is the SQLite file that holds it when no database does.
	// Default data/aposproxy-attachments.db.
	File string `toml:"file"`
	// Dir is the directory of the files when no S3 bucket is configured.
	// Default data/uploads.
	Dir string `toml:"dir"`
	// BaseURL is put before /uploads in the URLs of the files, such as
	// "http://localhost:3000" (Apostrophe's baseUrl). Default "": the URLs
	// are relative to the site.
	BaseURL string `toml:"base_url"`
	// MaxBytes is the largest upload (the whole multipart body); past it,
	// 413. Default 50 MiB.
	MaxBytes int64 `toml:"max_bytes"`
	// MaxPixels is the largest image (width × height) that is decoded;
	// a larger one is refused from its header. Default 50,000,000.
	MaxPixels int64 `toml:"max_pixels"`
	// MaxConcurrent caps the uploads and crops processed at once; the
	// others wait for their turn until the request's deadline. Default 2.
	MaxConcurrent int `toml:"max_concurrent"`
	// SVG is what happens to an SVG upload: "sanitize" (default: scripts,
	// event handlers and outside references removed) or "refuse".
	SVG string `toml:"svg"`
	// FileGroups replaces Apostrophe's groups (images, office); AddFileGroups
	// adds to them. ExtensionMaps maps an extension to another (jpeg → jpg).
	FileGroups    map[string]FileGroup `toml:"file_groups"`
	AddFileGroups map[string]FileGroup `toml:"add_file_groups"`
	ExtensionMaps map[string]string    `toml:"extension_maps"`
	// GroupOrder lists the groups in Apostrophe's order, then the others
	// by name.
	GroupOrder []string `toml:"-"`
	// S3 stores the files in an S3-compatible bucket instead of Dir.
	S3 S3 `toml:"s3"`
}

// FileGroup is a group of accepted extensions.
type FileGroup struct {
	Extensions []string `toml:"extensions"`
	// Image marks a group of images: raster ones are measured and scaled.
	Image bool `toml:"image"`
}

// S3 is an S3-compatible bucket.
type S3 struct {
	// Endpoint is host:port of the service; empty means no bucket.
	Endpoint string `toml:"endpoint"`
	Bucket   string `toml:"bucket"`
	Region   string `toml:"region"`
	// AccessKey and SecretKey: write them as ${ENV_VAR}.
	AccessKey string `toml:"access_key"`
	SecretKey string `toml:"secret_key"`
	// Secure uses HTTPS. Default false.
	Secure bool `toml:"secure"`
	// Prefix is put before every object key. Default "".
	Prefix string `toml:"prefix"`
}

// Apostrophe's defaults.
const (
	defaultAttachmentMaxBytes  = 50 << 20
	defaultAttachmentMaxPixels = 50_000_000
	defaultAttachmentWorkers   = 2
)

func defaultFileGroups() map[string]FileGroup {
	return map[string]FileGroup{
		"images": {Image: true, Extensions: []string{"gif", "jpg", "png", "svg", "webp"}},
		"office": {Extensions: []string{"txt", "rtf", "pdf", "xls", "ppt", "doc", "pptx", "sldx", "ppsx", "potx",
			"xlsx", "xltx", "csv", "docx", "dotx"}},
	}
}

func (a *Attachments) setDefaults(c *Config) {
	setZero(&a.Database, c.Jobs.Database)
	setZero(&a.File, "data/aposproxy-attachments.db")
	setZero(&a.Dir, "data/uploads")
	setZero(&a.MaxBytes, defaultAttachmentMaxBytes)
	setZero(&a.MaxPixels, defaultAttachmentMaxPixels)
	setZero(&a.MaxConcurrent, defaultAttachmentWorkers)
	setZero(&a.SVG, "sanitize")
	if a.FileGroups == nil {
		a.FileGroups = defaultFileGroups()
	}
	maps.Copy(a.FileGroups, a.AddFileGroups)
	if a.ExtensionMaps == nil {
		a.ExtensionMaps = map[string]string{"jpeg": "jpg"}
	}
	a.GroupOrder = nil
	for _, g := range []string{"images", "office"} {
		if _, ok := a.FileGroups[g]; ok {
			a.GroupOrder = append(a.GroupOrder, g)
		}
	}
	for _, g := range slices.Sorted(maps.Keys(a.FileGroups)) {
		if !slices.Contains(a.GroupOrder, g) {
			a.GroupOrder = append(a.GroupOrder, g)
		}
	}
}

var extensionPattern = regexp.MustCompile(`^[a-z0-9]{1,16}$`)

func (a *Attachments) validate(c *Config, errs *errorList) {
	if _, ok := c.Databases[a.Database]; a.Database != "" && !ok {
		errs.addf("attachments.database", "no database named %q in [databases]", a.Database)
	}
	for _, l := range []struct {
		key string
		n   int64
	}{{"attachments.max_bytes", a.MaxBytes}, {"attachments.max_pixels", a.MaxPixels}, {"attachments.max_concurrent", int64(a.MaxConcurrent)}} {
		if l.n < 1 {
			errs.addf(l.key, "must be at least 1")
		}
	}
	if a.SVG != "sanitize" && a.SVG != "refuse" {
		errs.addf("attachments.svg", `must be "sanitize" or "refuse", not %q`, a.SVG)
	}
	seen := map[string]string{}
	for _, g := range a.GroupOrder {
		for i, ext := range a.FileGroups[g].Extensions {
			key := fmt.Sprintf("attachments.file_groups.%s.extensions[%d]", g, i)
			if !extensionPattern.MatchString(ext) {
				errs.addf(key, "%q is not a lower-case extension without a dot", ext)
			} else if other, dup := seen[ext]; dup {
				errs.addf(key, "%q is already in group %q", ext, other)
			}
			seen[ext] = g
		}
	}
	for from, to := range a.ExtensionMaps {
		if !extensionPattern.MatchString(from) || !extensionPattern.MatchString(to) {
			errs.addf(joinKey("attachments.extension_maps", from), "maps lower-case extensions without a dot")
		}
	}
	if s := a.S3; s.Endpoint != "" && s.Bucket == "" {
		errs.addf("attachments.s3.bucket", "an S3 endpoint needs a bucket")
	}
}
