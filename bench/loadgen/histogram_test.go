package loadgen

import (
	"strings"
	"testing"
	"time"
)

func TestHistogramQuantilesWithinItsPrecision(t *testing.T) {
	var h histogram
	for i := 1; i <= 100000; i++ {
		h.record(time.Duration(i) * time.Microsecond) // 1µs .. 100ms, uniform
	}
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
		want := time.Duration(q*100000) * time.Microsecond
		got := h.quantile(q)
		if got < want || float64(got) > float64(want)*1.016 {
			t.Errorf("q%v: %v, want %v to 1.6%% above", q, got, want)
		}
	}
	if h.quantile(1) != 100*time.Millisecond || h.max() != 100*time.Millisecond || h.count() != 100000 {
		t.Errorf("max %v, q1 %v, count %d", h.max(), h.quantile(1), h.count())
	}
	if m := h.mean(); m < 50*time.Millisecond || m > 50*time.Millisecond+time.Microsecond {
		t.Errorf("mean %v", m)
	}
}

func TestHistogramBucketsAreContiguous(t *testing.T) {
	for i := 0; i+1 < histBuckets; i++ {
		if bucket(bucketTop(i)) != i || bucket(bucketTop(i)+1) != i+1 {
			t.Fatalf("bucket %d ends at %d, which falls in %d", i, bucketTop(i), bucket(bucketTop(i)))
		}
	}
	var h histogram
	h.record(time.Hour) // beyond the range: counted in the last bucket, its max exact
	h.record(-time.Second)
	if h.max() != time.Hour || h.count() != 2 {
		t.Fatalf("max %v, count %d", h.max(), h.count())
	}
}

func TestReadTargets(t *testing.T) {
	text := "# a comment\nGET http://a/x\nX-One: 1\nX-Two: b:c\n\nDELETE http://a/y\nGET https://b/z\n"
	got, err := readTargets(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].url != "http://a/x" || got[0].header.Get("X-Two") != "b:c" || got[1].method != "DELETE" || got[2].url != "https://b/z" {
		t.Fatalf("%+v", got)
	}
	for _, bad := range []string{"X-One: 1\n", "GET\n", "GET a/x\n", "@body\n"} {
		if _, err := readTargets(strings.NewReader(bad)); err == nil {
			t.Errorf("%q read without an error", bad)
		}
	}
}
