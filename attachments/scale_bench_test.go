package attachments

import (
	"image"
	"image/color"
	"testing"

	"golang.org/x/image/draw"
)

func photo(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 7), uint8(y * 3), uint8(x ^ y), 255})
		}
	}
	return img
}

// BenchmarkScale compares the kernels and the cascade (each size from
// the last one made) with scaling every size from the original, on a
// 3000×2000 image.
func BenchmarkScale(b *testing.B) {
	src := photo(3000, 2000)
	for _, k := range []struct {
		name string
		k    draw.Interpolator
	}{{"CatmullRom", draw.CatmullRom}, {"ApproxBiLinear", draw.ApproxBiLinear}} {
		for _, cascade := range []bool{false, true} {
			name := k.name + "/from-original"
			if cascade {
				name = k.name + "/cascade"
			}
			b.Run(name, func(b *testing.B) {
				for b.Loop() {
					from := src
					for _, s := range sizes {
						w, h := s.fit(3000, 2000)
						dst := image.NewRGBA(image.Rect(0, 0, w, h))
						k.k.Scale(dst, dst.Bounds(), from, from.Bounds(), draw.Src, nil)
						if cascade {
							from = dst
						}
					}
				}
			})
		}
	}
	b.Run("halve+ApproxBiLinear/cascade", func(b *testing.B) {
		for b.Loop() {
			from := toRGBA(src)
			for _, s := range sizes {
				w, h := s.fit(3000, 2000)
				from = scale(from, w, h)
			}
		}
	})
}
