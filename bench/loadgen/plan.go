package loadgen

import (
	"math/rand/v2"
	"net/http"
	"strings"
)

// request is one request the load generators send.
type request struct {
	method, url string
	body        []byte
	// auth sends the credentials (drafts, writes, or every request with
	// -auth-reads).
	auth bool
	// header holds the headers of a -targets entry.
	header http.Header
	// wire is the request as the epoll engine writes it, built once for
	// the requests of the pools (nil until then, and for writes).
	wire *wire
}

// plan chooses the requests of a run: a scenario by weight, then a request
// from that scenario's pool (reads) or from a write cycle. It is safe for
// concurrent use.
type plan struct {
	target string
	cred   string // the Authorization header value, "" for none
	// cumulative holds the running sum of the weights of the scenarios
	// that have requests, for a weighted pick.
	cumulative [numScenarios]int
	pools      [numScenarios][]request
	writers    []*writer
	// readScenario classifies GET results by URL; writerByURL finds the
	// write cycle a POST (by its URL) or a PATCH (by its type's URL)
	// result belongs to.
	readScenario map[string]scenario
	writerByURL  map[string]*writer
}

// newPlan builds a plan over pools of read requests and write cycles,
// keeping the weights of m for the scenarios that have something to send.
func newPlan(target, cred string, m mix, pools [numScenarios][]request, writers []*writer) *plan {
	p := &plan{target: target, cred: cred, pools: pools, writers: writers,
		readScenario: map[string]scenario{}, writerByURL: map[string]*writer{}}
	sum := 0
	for sc := range numScenarios {
		if len(pools[sc]) > 0 || sc == scWrite && len(writers) > 0 {
			sum += m[sc]
		}
		p.cumulative[sc] = sum
		for _, r := range pools[sc] {
			if r.method == http.MethodGet {
				p.readScenario[r.url] = sc
			}
		}
	}
	for _, w := range writers {
		p.writerByURL[w.createURL] = w
		if p.writerByURL[w.typeURL] == nil {
			p.writerByURL[w.typeURL] = w
		}
	}
	return p
}

// pick returns the next request to send.
func (p *plan) pick() (request, scenario) {
	n := rand.IntN(p.cumulative[numScenarios-1])
	sc := scenario(0)
	for p.cumulative[sc] <= n {
		sc++
	}
	if sc == scWrite {
		return p.writers[rand.IntN(len(p.writers))].next(), sc
	}
	pool := p.pools[sc]
	return pool[rand.IntN(len(pool))], sc
}

// scenarioOf classifies a result by its method and URL: writes by method,
// reads by the pool their URL came from.
func (p *plan) scenarioOf(method, url string) scenario {
	switch {
	case p.readScenario == nil:
		return scRaw
	case method != http.MethodGet:
		return scWrite
	}
	return p.readScenario[url]
}

// observe learns from a result: a created document joins its write
// cycle, a patched one moves on to its deletion.
func (p *plan) observe(res *result) {
	switch res.method {
	case http.MethodPost:
		if w := p.writerByURL[res.url]; w != nil && res.code >= 200 && res.code < 300 {
			w.created(res.body)
		}
	case http.MethodPatch:
		i := strings.LastIndexByte(res.url, '/')
		if w := p.writerByURL[res.url[:max(i, 0)]]; w != nil {
			w.patched(res.url[i+1:])
		}
	}
}

// rawPlan replays a -targets file: every target is a pool entry, picked
// at random.
func rawPlan(target string, tgts []request) *plan {
	var pools [numScenarios][]request
	pools[scRaw] = tgts
	var m mix
	m[scRaw] = 1
	p := newPlan(target, "", m, pools, nil)
	p.readScenario = nil // every result is raw
	return p
}
