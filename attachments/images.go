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

// scaler is x/image/draw's ApproxBiLinear. Measured on 6 sizes of a
// 3000×2000 image (BenchmarkScale), CatmullRom took 6.8 times as long;
// the aliasing bilinear sampling has when it shrinks much is avoided by
// halving the image with a 2×2 box filter first (halve) while it is at
// least twice the size asked, so that the last step shrinks by less than
// two. Each size is made from the last one made, not from the original.
var scaler draw.Interpolator = draw.ApproxBiLinear

// scale returns src scaled to w×h.
func scale(src *image.RGBA, w, h int) *image.RGBA {
	for src.Bounds().Dx() >= 2*w && src.Bounds().Dy() >= 2*h {
		src = halve(src)
	}
	if src.Bounds().Dx() == w && src.Bounds().Dy() == h {
		return src
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	scaler.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	return dst
}

// halve shrinks src to half its size, each pixel the mean of four.
func halve(src *image.RGBA) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx()/2, b.Dy()/2
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		r0 := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+2*y):]
		r1 := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+2*y+1):]
		out := dst.Pix[y*dst.Stride:]
		for x := range w {
			for c := range 4 {
				i := 8*x + c
				out[4*x+c] = uint8((uint(r0[i]) + uint(r0[i+4]) + uint(r1[i]) + uint(r1[i+4]) + 2) / 4)
			}
		}
	}
	return dst
}

// toRGBA returns img as an *image.RGBA (a copy unless it is one).
func toRGBA(img image.Image) *image.RGBA {
	if rgba, ok := img.(*image.RGBA); ok {
		return rgba
	}
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Src)
	return dst
}

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
	var from *image.RGBA
	for _, s := range sizes {
		b := src.Bounds()
		w, h := s.fit(b.Dx(), b.Dy())
		if w == b.Dx() && h == b.Dy() && original != nil {
			out = append(out, rendition{s.Name, original})
			continue
		}
		var img image.Image = src
		if w != b.Dx() || h != b.Dy() {
			if from == nil {
				from = toRGBA(src)
			}
			from = scale(from, w, h)
			img = from
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
