package attachments_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/internal/testkit"
)

// noisyJPEG is a JPEG of about size bytes (noise compresses badly).
func noisyJPEG(tb testing.TB, size int) []byte {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	for side := 600; ; side += 100 {
		img := image.NewRGBA(image.Rect(0, 0, side*4/3, side))
		for i := range img.Pix {
			img.Pix[i] = uint8(rng.IntN(256))
			if i%4 == 3 {
				img.Pix[i] = 255
			}
		}
		img.Set(0, 0, color.White)
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
			tb.Fatal(err)
		}
		if buf.Len() >= size {
			return buf.Bytes()
		}
	}
}

// BenchmarkUpload uploads a 2 MB JPEG (decoded, scaled to six sizes,
// encoded, stored) and, as the baseline in the same run, a 2 MB text
// file of the same length (received, checked and stored only), over
// loopback on SQLite. It reports both throughputs, their ratio, and the
// process's resident memory at the end.
func BenchmarkUpload(b *testing.B) {
	base := site(b, testkit.SQLite, "")
	photo := noisyJPEG(b, 2<<20)
	text := bytes.Repeat([]byte("0123456789abcdef\n"), len(photo)/17+1)[:len(photo)]
	run := func(name string, content []byte, n int) time.Duration {
		start := time.Now()
		for range n {
			if a := upload(b, base, "adminkey", name, content); a.Status != 200 {
				b.Fatalf("%d %s", a.Status, a.Body)
			}
		}
		return time.Since(start)
	}
	b.SetBytes(int64(len(photo)))
	n := 0
	start := time.Now()
	for b.Loop() {
		run("photo.jpg", photo, 1)
		n++
	}
	jpegTime := time.Since(start)
	b.StopTimer()
	textTime := run("notes.txt", text, n)
	mbps := func(d time.Duration) float64 { return float64(n*len(photo)) / d.Seconds() / 1e6 }
	b.ReportMetric(mbps(jpegTime), "jpeg-MB/s")
	b.ReportMetric(mbps(textTime), "baseline-MB/s")
	b.ReportMetric(mbps(jpegTime)/mbps(textTime), "jpeg/baseline")
	b.ReportMetric(float64(rss())/(1<<20), "RSS-MiB")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heap-sys-MiB")
	b.Logf("%d uploads of a %d-byte JPEG", n, len(photo))
}
