package loadgen

import (
	"fmt"
	"strconv"
	"strings"
)

// scenario is one kind of request of the mix.
type scenario int

// The scenarios, in the order reports list them. raw is every request of
// a -targets file, which has no Apostrophe meaning.
const (
	scList   scenario = iota // a page of a list
	scGet                    // one published document by _id
	scSearch                 // a list with search=
	scFilter                 // a list filtered by one field
	scDraft                  // a draft document or a list of drafts, with credentials
	scWrite                  // create, patch and delete cycles, with credentials
	scRaw                    // a request of a -targets file
	numScenarios
)

var scenarioNames = [numScenarios]string{"list", "get", "search", "filter", "draft", "write", "targets"}

func (s scenario) String() string { return scenarioNames[s] }

// needsCredentials reports whether the scenario is refused to anonymous
// callers by Apostrophe (drafts need view-draft, writes need edit).
func (s scenario) needsCredentials() bool { return s == scDraft || s == scWrite }

// mix is the relative weight of each scenario.
type mix [numScenarios]int

// Default mixes: public traffic alone, and with credentials the draft
// reads and write cycles of editors at work.
const (
	anonymousMix     = "list=40,get=50,search=5,filter=5"
	authenticatedMix = "list=30,get=45,search=5,filter=5,draft=10,write=5"
)

// parseMix reads "list=40,get=50,...": scenario names with non-negative
// integer weights, at least one of them positive.
func parseMix(s string) (mix, error) {
	var m mix
	total := 0
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, w, ok := strings.Cut(part, "=")
		if !ok {
			return m, fmt.Errorf("%q: want name=weight", part)
		}
		sc, ok := scenarioNamed(strings.TrimSpace(name))
		if !ok {
			return m, fmt.Errorf("%q: unknown scenario (use %s)", name, strings.Join(scenarioNames[:scRaw], ", "))
		}
		n, err := strconv.Atoi(strings.TrimSpace(w))
		if err != nil || n < 0 {
			return m, fmt.Errorf("%q: the weight must be a whole number, 0 or more", part)
		}
		m[sc] += n
		total += n
	}
	if total == 0 {
		return m, fmt.Errorf("%q: no scenario has a weight", s)
	}
	return m, nil
}

// scenarioNamed finds a scenario of the mix by name.
func scenarioNamed(name string) (scenario, bool) {
	for i, n := range scenarioNames[:scRaw] {
		if n == name {
			return scenario(i), true
		}
	}
	return 0, false
}

// String writes m back in parseMix's syntax.
func (m mix) String() string {
	var parts []string
	for sc, w := range m {
		if w > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", scenario(sc), w))
		}
	}
	return strings.Join(parts, ",")
}
