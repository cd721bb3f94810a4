package attachments_test

import (
	"bufio"
	"image"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aposproxy/aposproxy/internal/s3fake"
	"github.com/aposproxy/aposproxy/internal/testkit"
)

// s3Bucket, set in the environment, makes the test binary an S3 server
// (see startS3).
const s3Bucket = "APOSPROXY_S3FAKE_BUCKET"

func TestMain(m *testing.M) {
	if bucket := os.Getenv(s3Bucket); bucket != "" {
		s3fake.Main(bucket)
		return
	}
	os.Exit(m.Run())
}

// startS3 runs an S3-compatible server with bucket in a process of its
// own (this test binary, re-executed) and returns its host:port.
func startS3(t *testing.T, bucket string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), s3Bucket+"="+bucket)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		t.Fatalf("s3 server: %q %v", line, err)
	}
	return addr
}

// TestS3 stores the files in an S3-compatible bucket
// (docs/api-rules.md#196): upload, sizes, ranges and crops go through
// it, and nothing is written to the local directory.
func TestS3(t *testing.T) {
	addr := startS3(t, "uploads")
	extra := "[attachments.s3]\nendpoint = \"" + addr + "\"\nbucket = \"uploads\"\nregion = \"us-east-1\"\n" +
		"access_key = \"test\"\nsecret_key = \"test\"\nprefix = \"site/\"\n"
	base := site(t, testkit.SQLite, extra)
	a := upload(t, base, "adminkey", "Blue Box.png", pngOf(t, 1200, 400))
	if a.Status != 200 {
		t.Fatalf("upload: %d %s", a.Status, a.Body)
	}
	m := a.json(t)
	urls := m["_urls"].(map[string]any)
	for size, w := range map[string]int{"full": 1140, "one-third": 380, "original": 1200} {
		f := get(t, base, urls[size].(string))
		cfg, _, err := image.DecodeConfig(strings.NewReader(f.Body))
		if f.Status != 200 || err != nil || cfg.Width != w || f.Header.Get("Content-Type") != "image/png" {
			t.Errorf("%s: %d %v %d", size, f.Status, err, cfg.Width)
		}
	}
	if f := get(t, base, urls["original"].(string), "Range", "bytes=1-3"); f.Status != 206 || f.Body != "PNG" {
		t.Errorf("range: %d %q", f.Status, f.Body)
	}
	if f := get(t, base, "/uploads/attachments/nosuch-file.png"); f.Status != 404 {
		t.Errorf("missing object: %d %s", f.Status, f.Body)
	}
	crop := `{"_id":"` + m["_id"].(string) + `","crop":{"top":0,"left":0,"width":400,"height":400},"annotate":true}`
	c := post(t, base+cropPath, "adminkey", "application/json", strings.NewReader(crop))
	if c.Status != 200 {
		t.Fatalf("crop: %d %s", c.Status, c.Body)
	}
	if f := get(t, base, c.json(t)["_urls"].(map[string]any)["one-sixth"].(string)); f.Status != 200 {
		t.Errorf("cropped size: %d", f.Status)
	}
}
