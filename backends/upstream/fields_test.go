package upstream

import (
	"testing"
	"time"
)

// TestAppendTime: dates and datetimes are written as AppendFormat writes
// them with the wire layouts, whatever the year, the zone and the
// fraction of a second.
func TestAppendTime(t *testing.T) {
	east := time.FixedZone("east", 14*3600)
	times := []time.Time{
		time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC),
		time.Date(2025, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2024, 2, 29, 0, 0, 0, 1500000, east),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 7, 4, 5, 6, 7, 80000000, time.UTC),
	}
	for _, tm := range times {
		for _, clock := range []bool{false, true} {
			layout := dateLayout
			if clock {
				layout = dateTimeLayout
			}
			want := `"` + tm.Format(layout) + `"`
			if got := string(appendTime(nil, tm, clock)); got != want {
				t.Errorf("%v (clock %v): %s, want %s", tm, clock, got, want)
			}
		}
	}
}
