package loadgen

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// options are the parsed flags of a run.
type options struct {
	target, targetsFile, compare string
	types, locales               []string
	mix                          mix
	rate, conns, rounds          int
	maxConns                     int // the open model's connections at most
	duration, timeout, warmup    time.Duration
	cred                         string // the Authorization header value
	authReads                    bool
	perPage, ids                 int
	body                         []byte
	filter                       string
	query                        string // added to every list URL
	json, quiet                  bool
}

const usage = `Usage: aposproxy bench -target URL -types T1,T2 [flags]
       aposproxy bench -targets FILE [flags]

Drives Apostrophe-style traffic at any /api/v1 deployment (aposproxy or an
Apostrophe site). It lists each type in each locale to discover _ids,
drafts, search terms and a document to copy, then sends the -mix of
scenarios for -duration: as fast as -connections allow (closed loop), or at
-rate requests per second whatever the answers take (open model, the one
that shows a slow server's latency). It prints requests per second, answers
by status and latency percentiles; -compare runs a second target in
alternate rounds and prints the ratios of B to A.

Scenarios: list (pages of -per-page), get (one published document), search,
filter (one field, see -filter), draft (drafts and lists of drafts) and
write (create, patch and delete cycles that delete what they created). The
draft and write scenarios send the credentials; the others are anonymous
unless -auth-reads. Writes need a role that may publish and delete (an
editor in aposproxy).

Examples:
  aposproxy bench -target http://127.0.0.1:3000/api/v1 -types product,article -locales en,fr
  aposproxy bench -target http://127.0.0.1:3000/api/v1 -types product -apikey KEY \
      -mix list=30,get=40,draft=20,write=10 -rate 2000 -duration 30s
  aposproxy bench -target http://a:3000/api/v1 -compare http://b:3000/api/v1 -types product -rounds 5

Flags:
`

// parseArgs reads and checks the flags.
func parseArgs(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("aposproxy bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	fs.StringVar(&o.target, "target", "", "base `URL` of the API, such as http://127.0.0.1:3000/api/v1")
	fs.StringVar(&o.targetsFile, "targets", "", "replay the requests of `FILE` (vegeta's http format) instead of discovering a -target")
	fs.StringVar(&o.compare, "compare", "", "a second base `URL` to run in alternate rounds with -target")
	types := fs.String("types", "", "comma-separated type `names` to drive, such as product,article")
	locales := fs.String("locales", "en", "comma-separated `locales`")
	mixFlag := fs.String("mix", "", "scenario `weights`; default "+anonymousMix+", or with credentials "+authenticatedMix)
	fs.IntVar(&o.rate, "rate", 0, "requests per second (open model); 0 sends as fast as -connections allow")
	fs.IntVar(&o.conns, "connections", 16, "connections of the closed loop, and kept-alive connections of the open model")
	fs.IntVar(&o.maxConns, "max-connections", maxOpenConns, "most connections the open model opens, each with one request in flight; beyond them requests wait for a connection, their latency running")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long to drive each target, split into -rounds")
	fs.IntVar(&o.rounds, "rounds", 1, "rounds per target; with -compare the targets alternate A B B A ...")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Second, "timeout of one request")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured load sent to each target first (connections, caches, prepared statements)")
	apikey := fs.String("apikey", "", "Apostrophe API `key` sent as Authorization: ApiKey")
	bearer := fs.String("bearer", "", "bearer `token` sent as Authorization: Bearer")
	fs.BoolVar(&o.authReads, "auth-reads", false, "send the credentials with every request, not only drafts and writes")
	fs.IntVar(&o.perPage, "per-page", 10, "perPage of the list, search and filter scenarios")
	fs.IntVar(&o.ids, "ids", 100, "most documents to discover per type and locale")
	body := fs.String("body", "", "`JSON` object to create in the write scenario (default: a copy of a listed document)")
	fs.StringVar(&o.filter, "filter", "", "`field=value` of the filter scenario (default: a boolean or short text field of a listed document)")
	fs.StringVar(&o.query, "query", "", "`parameters` added to every list, search and filter URL, such as 'sort[price]=-1' or 'inStock=1'")
	fs.BoolVar(&o.json, "json", false, "write the report as JSON to standard output")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress line on standard error")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	o.types, o.locales = splitNames(*types), splitNames(*locales)
	switch {
	case *apikey != "" && *bearer != "":
		return nil, errors.New("give -apikey or -bearer, not both")
	case *apikey != "":
		o.cred = "ApiKey " + *apikey
	case *bearer != "":
		o.cred = "Bearer " + *bearer
	}
	if *mixFlag == "" {
		*mixFlag = anonymousMix
		if o.cred != "" {
			*mixFlag = authenticatedMix
		}
	}
	var err error
	if o.mix, err = parseMix(*mixFlag); err != nil {
		return nil, fmt.Errorf("-mix %w", err)
	}
	if *body != "" {
		if !gjson.Valid(*body) || !gjson.Parse(*body).IsObject() {
			return nil, errors.New("-body must be a JSON object")
		}
		o.body = []byte(*body)
	}
	return o, o.check()
}

// check refuses the flag combinations that cannot run.
func (o *options) check() error {
	switch {
	case (o.target == "") == (o.targetsFile == ""):
		return errors.New("give -target URL (an API to discover) or -targets FILE")
	case o.targetsFile != "" && o.compare != "":
		return errors.New("-compare needs -target: a targets file has no second target")
	case o.target != "" && len(o.types) == 0:
		return errors.New("-types is required: name the types to drive, such as -types product")
	case len(o.locales) == 0:
		return errors.New("-locales needs at least one locale")
	case o.rate < 0, o.conns < 1, o.maxConns < 1, o.rounds < 1, o.perPage < 1, o.ids < 1:
		return errors.New("-rate must be 0 or more; -connections, -max-connections, -rounds, -per-page and -ids 1 or more")
	case o.maxConns < o.conns:
		return errors.New("-max-connections must be at least -connections")
	case o.duration <= 0 || o.timeout <= 0 || o.warmup < 0:
		return errors.New("-duration and -timeout must be positive, -warmup 0 or more")
	case o.duration/time.Duration(o.rounds) < 100*time.Millisecond:
		return errors.New("-duration is too short for that many -rounds (100ms each at least)")
	case o.filter != "" && !strings.Contains(o.filter, "="):
		return errors.New("-filter must be field=value")
	case strings.HasPrefix(o.query, "&") || strings.HasPrefix(o.query, "?"):
		return errors.New("-query takes parameters without a leading & or ?, such as sort[price]=-1")
	}
	for sc, w := range o.mix {
		if w > 0 && scenario(sc).needsCredentials() && o.cred == "" && o.targetsFile == "" {
			return fmt.Errorf("the %s scenario needs credentials: give -apikey or -bearer, or leave it out of -mix", scenario(sc))
		}
	}
	for _, u := range []string{o.target, o.compare} {
		if u == "" {
			continue
		}
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.RawQuery != "" {
			return fmt.Errorf("%q is not a base URL such as http://127.0.0.1:3000/api/v1", u)
		}
	}
	return nil
}

// splitNames splits a comma-separated list, dropping empty names.
func splitNames(s string) []string {
	var out []string
	for _, n := range strings.Split(s, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}
