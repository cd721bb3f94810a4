package upstream

import (
	"context"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/aposproxy/aposproxy/adapters"
)

// benchItem is a service item as the inventory answers it.
const benchItem = `{"itemId":"INV-0001","language":"en","state":"live","label":"Oak desk \"deluxe\"","qty":12,` +
	`"warehouse":{"code":"W1","aisle":"A3"},"rev":3,"modifiedAt":"2025-06-01T10:00:00Z"}`

// BenchmarkRecord maps a service item onto Record.Fields.
func BenchmarkRecord(b *testing.B) {
	a := adapterAt(b, "http://127.0.0.1:1", nil)
	item := gjson.Parse(benchItem)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.record(item, enLive, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMerge writes typed values into a service item, nested paths
// included, as an update does.
func BenchmarkMerge(b *testing.B) {
	a := adapterAt(b, "http://127.0.0.1:1", nil)
	values := []adapters.Value{
		{Field: "title", V: "Oak desk, large"},
		{Field: "quantity", V: int64(13)},
		{Field: "warehouse", V: "W2"},
		{Field: "aisle", V: "B1"},
		{Field: "updatedAt", V: time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)},
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.merge([]byte(benchItem), values); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGet gets one published item from the in-memory inventory over
// loopback: the adapter's whole path, service included.
func BenchmarkGet(b *testing.B) {
	a, _ := inventory(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Get(ctx, enLive, "INV-0001"); err != nil {
			b.Fatal(err)
		}
	}
}
