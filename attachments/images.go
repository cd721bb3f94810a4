package attachments

import (
	"bytes"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/draw"
)

// size is one of Apostrophe's image sizes: the image is scaled to fit
// inside Width×Height, never enlarged.
type size struct {
	Name          string
	Width, Height int
}

// sizes are Apostrophe's (uploadfs's) default image sizes, largest first.
var sizes = []size{
	{"max", 1600, 1600},
	{"full", 1140, 1140},
	{"two-thirds", 760, 760},
	{"one-half", 570, 700},
	{"one-third", 380, 700},
	{"one-sixth", 190, 350},
}

// fit is the size of a w×h image scaled to fit inside s, never enlarged.
func (s size) fit(w, h int) (int, int) {
	if w <= s.Width && h <= s.Height {
		return w, h
	}
	if w*s.Height > h*s.Width { // wider than the box
		return s.Width, max(1, h*s.Width/w)
	}
	return max(1, w*s.Height/h), s.Height
}

// scaler scales with Catmull-Rom (the sharpest of x/image/draw's
// kernels, like sharp's default Lanczos for downscaling). Each size is
// scaled from the smallest larger size already made, not from the
// original, which costs a fraction of it at the same quality
// (BenchmarkScale).
var scaler draw.Interpolator = draw.CatmullRom

// rendition is one scaled copy of an image, encoded.
type rendition struct {
	size string
	data []byte
}

// scaleAll makes every size of src (already cropped when cropping) in
// format ext. A size that needs no scaling reuses original (the file's
// own bytes) when it is given, else src encoded. Go's image libraries
// have no WebP encoder: every size of a WebP is its original file
// (docs/api-rules.md#194).
func scaleAll(src image.Image, ext string, original []byte) ([]rendition, error) {
	out := make([]rendition, 0, len(sizes))
	if ext == "webp" {
		for _, s := range sizes {
			out = append(out, rendition{s.Name, original})
		}
		return out, nil
	}
	from := src
	for _, s := range sizes {
		b := src.Bounds()
		w, h := s.fit(b.Dx(), b.Dy())
		if w == b.Dx() && h == b.Dy() && original != nil {
			out = append(out, rendition{s.Name, original})
			continue
		}
		var img image.Image = src
		if w != b.Dx() || h != b.Dy() {
			dst := image.NewRGBA(image.Rect(0, 0, w, h))
			scaler.Scale(dst, dst.Bounds(), from, from.Bounds(), draw.Src, nil)
			img, from = dst, dst
		}
		data, err := encode(img, ext)
		if err != nil {
			return nil, err
		}
		out = append(out, rendition{s.Name, data})
	}
	return out, nil
}

// encode writes img in format ext (jpg, gif or png).
func encode(img image.Image, ext string) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	switch ext {
	case "jpg":
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80})
	case "gif":
		err = gif.Encode(&buf, img, nil)
	default:
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img)
	}
	return buf.Bytes(), err
}

// decode decodes a whole image (after its header was measured).
func decode(r io.Reader) (image.Image, error) {
	img, _, err := image.Decode(r)
	return img, err
}
