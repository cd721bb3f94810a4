package attachments_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aposproxy/aposproxy/internal/testkit"
)

// generator is a multipart upload of a file of size bytes, made as it
// is read; sent counts what was read.
type generator struct {
	head, tail []byte
	left       int64
	sent       atomic.Int64
}

const boundary = "gen-boundary-0123456789"

func newGenerator(size int64) *generator {
	return &generator{
		head: []byte("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\nContent-Type: text/plain\r\n\r\n"),
		tail: []byte("\r\n--" + boundary + "--\r\n"),
		left: size,
	}
}

func (g *generator) Read(p []byte) (int, error) {
	n := 0
	switch {
	case len(g.head) > 0:
		n = copy(p, g.head)
		g.head = g.head[n:]
	case g.left > 0:
		n = int(min(int64(len(p)), g.left))
		for i := range p[:n] {
			p[i] = 'a' + byte(i%26)
		}
		g.left -= int64(n)
	case len(g.tail) > 0:
		n = copy(p, g.tail)
		g.tail = g.tail[n:]
	default:
		return 0, io.EOF
	}
	g.sent.Add(int64(n))
	return n, nil
}

// rss is the process's resident memory, in bytes (Linux; 0 elsewhere).
func rss() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// peakMemory runs f while sampling the heap and the resident memory, and
// returns how far each rose above where it was before.
func peakMemory(f func()) (heap, resident int64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heap0, rss0 := int64(ms.HeapAlloc), rss()
	var peakHeap, peakRSS atomic.Int64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peakHeap.Store(max(peakHeap.Load(), int64(ms.HeapAlloc)-heap0))
			peakRSS.Store(max(peakRSS.Load(), rss()-rss0))
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	})
	f()
	close(done)
	wg.Wait()
	return peakHeap.Load(), peakRSS.Load()
}

// TestHugeUpload: a 1 GB upload is stopped at max_bytes (1 MiB here)
// with 413, chunked or with its length declared, while the memory stays
// flat (docs/api-rules.md#191).
func TestHugeUpload(t *testing.T) {
	base := siteWith(t, testkit.SQLite, 1<<20, "")
	for _, declared := range []bool{false, true} {
		t.Run(fmt.Sprintf("declared=%v", declared), func(t *testing.T) {
			g := newGenerator(1 << 30)
			var status int
			heap, resident := peakMemory(func() {
				req, _ := http.NewRequest(http.MethodPost, base+uploadPath, g)
				if declared {
					req.ContentLength = int64(len(g.head)+len(g.tail)) + g.left
				}
				req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
				req.Header.Set("Authorization", "ApiKey adminkey")
				resp, err := http.DefaultClient.Do(req)
				if err == nil {
					status = resp.StatusCode
					resp.Body.Close()
				}
			})
			t.Logf("sent %d bytes of 1 GiB; heap rose %d KiB, RSS %d KiB; status %d", g.sent.Load(), heap>>10, resident>>10, status)
			if status != 0 && status != 413 {
				t.Errorf("status %d, want 413", status)
			}
			if g.sent.Load() > 64<<20 {
				t.Errorf("the server read %d bytes past its 1 MiB limit", g.sent.Load())
			}
			if heap > 32<<20 || resident > 64<<20 {
				t.Errorf("memory rose: heap %d KiB, RSS %d KiB", heap>>10, resident>>10)
			}
		})
	}
	// Other routes keep server.max_body_bytes for chunked bodies too.
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/@apostrophecms/attachment/crop", io.LimitReader(newGenerator(4<<20), 4<<20))
	req.Header.Set("Authorization", "ApiKey adminkey")
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		if resp.Body.Close(); resp.StatusCode != 413 {
			t.Errorf("a chunked 4 MiB JSON body: %d, want 413", resp.StatusCode)
		}
	}
}

// bombPNG is the header of a w×h PNG (a valid IHDR) with a little IDAT.
func bombPNG(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
		body := append([]byte(typ), data...)
		b.Write(body)
		_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(body))
	}
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, w), h)
	chunk("IHDR", append(ihdr, 8, 6, 0, 0, 0))
	chunk("IDAT", []byte{0x78, 0x9c, 0x63, 0, 0, 0, 1, 0, 1})
	chunk("IEND", nil)
	return b.Bytes()
}

// TestPixelBomb: a 50,000×50,000 PNG (10 GB decoded) is refused from its
// header, at once and without memory (docs/api-rules.md#192).
func TestPixelBomb(t *testing.T) {
	base := site(t, testkit.SQLite, "")
	var a answer
	start := time.Now()
	heap, _ := peakMemory(func() { a = upload(t, base, "adminkey", "bomb.png", bombPNG(50000, 50000)) })
	took := time.Since(start)
	want := `{"name":"invalid","data":{},"message":"The image is too large: 50000×50000 pixels, the limit is 50000000 pixels."}`
	if a.Status != 400 || a.Body != want {
		t.Errorf("%d %s", a.Status, a.Body)
	}
	t.Logf("refused in %v, heap rose %d KiB", took, heap>>10)
	if took > 2*time.Second || heap > 16<<20 {
		t.Errorf("took %v, heap rose %d KiB", took, heap>>10)
	}
}

// TestConcurrentUploads: more uploads than max_concurrent at once all
// succeed, each with its own id.
func TestConcurrentUploads(t *testing.T) {
	base := site(t, testkit.SQLite, "max_concurrent = 2")
	img := pngOf(t, 800, 500)
	ids := make([]string, 8)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			a := upload(t, base, "adminkey", fmt.Sprintf("p%d.png", i), img)
			if a.Status != 200 {
				t.Errorf("upload %d: %d %s", i, a.Status, a.Body)
				return
			}
			ids[i] = a.json(t)["_id"].(string)
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("id %q twice", id)
		}
		seen[id] = true
	}
}
