package service

import (
	"fmt"
	"time"
)

// seedItems is how many item ids the example starts with.
const seedItems = 40

// The seed's labels combine a material and an object, in English and French.
var (
	materials = [][2]string{
		{"Oak", "chêne"}, {"Walnut", "noyer"}, {"Pine", "pin"}, {"Birch", "bouleau"},
		{"Maple", "érable"}, {"Steel", "acier"}, {"Glass", "verre"}, {"Bamboo", "bambou"},
	}
	objects = [][2]string{
		{"desk", "Bureau"}, {"shelf", "Étagère"}, {"chair", "Chaise"}, {"table", "Table"}, {"lamp", "Lampe"},
	}
)

// seed fills the service with a deterministic catalogue of INV-0001 to
// INV-0040: 40 English drafts, 32 of them also live (every fifth item is an
// unpublished draft); French drafts for the 20 odd-numbered items, 10 of
// them live; every third draft (from INV-0001) differs from its live
// variant.
func (s *Service) seed() {
	base := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	for i := range seedItems {
		m, o := materials[i%len(materials)], objects[i/len(materials)]
		en := Item{
			ItemID:     fmt.Sprintf("INV-%04d", i+1),
			Label:      m[0] + " " + o[0],
			Qty:        int64(i * 7 % 25),
			Warehouse:  Warehouse{Code: fmt.Sprintf("W%d", i%3+1), Aisle: fmt.Sprintf("A%d", i%6+1)},
			Rev:        int64(1 + i%3),
			ModifiedAt: base.Add(time.Duration(i) * time.Hour).Format("2006-01-02T15:04:05Z"),
		}
		fr := en
		fr.Label = o[1] + " en " + m[1]
		s.put(en, "en", "draft", i%3 == 0)
		if i%5 != 4 {
			s.put(en, "en", "live", false)
		}
		if i%2 == 0 {
			s.put(fr, "fr", "draft", i%3 == 0)
		}
		if i%4 == 0 {
			s.put(fr, "fr", "live", false)
		}
	}
	s.nextID = seedItems
}

// put stores one seeded variant; edited drafts have one more unit in stock
// and a later modification time than their live variant.
func (s *Service) put(it Item, language, state string, edited bool) {
	it.Language, it.State = language, state
	if edited {
		it.Qty++
		it.Rev++
		t, _ := time.Parse(time.RFC3339, it.ModifiedAt)
		it.ModifiedAt = t.Add(30 * time.Minute).Format("2006-01-02T15:04:05Z")
	}
	s.items[variant{it.ItemID, language, state}] = it
}
