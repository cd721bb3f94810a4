package attachments

import (
	"encoding/json"
	"strconv"
)

// Attachment is the stored attachment, as Apostrophe keeps it in its
// attachments collection (without the annotations of a response).
type Attachment struct {
	ID             string   `json:"_id"`
	Crop           *Crop    `json:"crop,omitempty"` // only in a document's copy
	Group          string   `json:"group"`
	CreatedAt      string   `json:"createdAt"`
	Name           string   `json:"name"`
	Title          string   `json:"title"`
	Extension      string   `json:"extension"`
	Type           string   `json:"type"`
	DocIDs         []string `json:"docIds"`
	ArchivedDocIDs []string `json:"archivedDocIds"`
	Length         int64    `json:"length"`
	MD5            string   `json:"md5"`
	Width          int      `json:"width,omitempty"`
	Height         int      `json:"height,omitempty"`
	Landscape      bool     `json:"landscape,omitempty"`
	Portrait       bool     `json:"portrait,omitempty"`
	// Crops are the crops made so far; each has its files.
	Crops []Crop `json:"crops,omitempty"`
}

// Crop is a rectangle of the original image, in its pixels.
type Crop struct {
	Top    int `json:"top"`
	Left   int `json:"left"`
	Width  int `json:"width"`
	Height int `json:"height"`
}

// sized says whether the attachment has a file per size (a raster image).
func (a *Attachment) sized() bool { return a.Width > 0 }

// croppable are the extensions that can be cropped: Apostrophe's, but for
// WebP, which Go cannot encode (docs/api-rules.md#194).
var croppable = map[string]bool{"gif": true, "jpg": true, "png": true}

// key is the storage key of the attachment's file of size ("" for the
// original) in crop c (nil for the uncropped image), following
// Apostrophe's URL scheme:
// attachments/<_id>-<name>[.<left>.<top>.<width>.<height>][.<size>].<ext>.
func (a *Attachment) key(c *Crop, size string) string {
	b := make([]byte, 0, 96)
	b = append(b, "attachments/"...)
	b = append(b, a.ID...)
	b = append(b, '-')
	b = append(b, a.Name...)
	if c != nil {
		for _, n := range []int{c.Left, c.Top, c.Width, c.Height} {
			b = append(b, '.')
			b = strconv.AppendInt(b, int64(n), 10)
		}
	}
	if size != "" {
		b = append(b, '.')
		b = append(b, size...)
	}
	b = append(b, '.')
	b = append(b, a.Extension...)
	return string(b)
}

// annotate renders a as Apostrophe answers it: the stored attachment plus
// _isCroppable and _urls (and _url for a file that is not an image), the
// URLs under base (the configured base URL followed by /uploads). With a
// crop, the sizes are those of the crop and _urls.uncropped lists the
// others, and _crop is set.
func (a *Attachment) annotate(base string, crop *Crop, group Group) []byte {
	b, _ := json.Marshal(a) // plain strings and numbers: never fails
	b = b[:len(b)-1]
	if crop != nil {
		c, _ := json.Marshal(crop)
		b = append(append(b, `,"_crop":`...), c...)
	}
	b = append(b, `,"_isCroppable":`...)
	b = strconv.AppendBool(b, croppable[a.Extension])
	b = append(b, `,"_urls":`...)
	if !group.Image {
		b = append(b, `{},"_url":`...)
		b = appendJSONString(b, base+"/"+a.key(nil, ""))
		return append(b, '}')
	}
	b = a.appendURLs(b, base, crop)
	if crop != nil {
		b = b[:len(b)-1]
		b = append(b, `,"uncropped":`...)
		b = append(a.appendURLs(b, base, nil), '}')
	}
	return append(b, '}')
}

// appendURLs appends the object of the URLs of every size, then of the
// original, in Apostrophe's order. An image that is not scaled (SVG)
// has the original's URL for every size.
func (a *Attachment) appendURLs(b []byte, base string, crop *Crop) []byte {
	b = append(b, '{')
	for _, s := range sizes {
		name := s.Name
		if !a.sized() {
			name = ""
		}
		b = appendJSONString(b, s.Name)
		b = append(b, ':')
		b = appendJSONString(b, base+"/"+a.key(crop, name))
		b = append(b, ',')
	}
	b = append(b, `"original":`...)
	b = appendJSONString(b, base+"/"+a.key(crop, ""))
	return append(b, '}')
}

func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s)
	return append(b, q...)
}
