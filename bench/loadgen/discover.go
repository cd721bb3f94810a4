package loadgen

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"unicode"

	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// found is what discovery learned about one type in one locale.
type found struct {
	localized bool
	pages     int      // pages of the list at -per-page
	ids       []string // published _ids
	drafts    []string // draft _ids
	words     []string // search terms taken from titles
	sample    gjson.Result
}

// discover lists every type in every locale through the list route, as
// any Apostrophe client would, and builds the plan of requests from what
// it found: pages, _ids, drafts, search terms and a document to copy.
func discover(ctx context.Context, c *fasthttp.Client, o *options, target string) (*plan, error) {
	var pools [numScenarios][]request
	var writers []*writer
	for _, t := range o.types {
		typeURL := strings.TrimRight(target, "/") + "/" + url.PathEscape(t)
		for _, loc := range o.locales {
			f, err := o.discoverType(ctx, c, typeURL, loc)
			if err != nil {
				return nil, fmt.Errorf("type %s, locale %s: %w", t, loc, err)
			}
			if !f.localized {
				loc = ""
			}
			list := func(extra string, auth bool) request {
				u := fmt.Sprintf("%s?perPage=%d", typeURL, o.perPage)
				if loc != "" {
					u += "&aposLocale=" + url.QueryEscape(loc)
				}
				if o.query != "" {
					u += "&" + o.query
				}
				return request{method: "GET", url: u + extra, auth: auth || o.authReads}
			}
			for page := 1; page <= f.pages; page++ {
				pools[scList] = append(pools[scList], list(fmt.Sprintf("&page=%d", page), false))
			}
			for _, id := range f.ids {
				pools[scGet] = append(pools[scGet], request{method: "GET", url: typeURL + "/" + url.PathEscape(id), auth: o.authReads})
			}
			for _, w := range f.words {
				pools[scSearch] = append(pools[scSearch], list("&search="+url.QueryEscape(w), false))
			}
			if flt := o.filterOf(f.sample); flt != "" {
				pools[scFilter] = append(pools[scFilter], list("&"+flt, false))
			}
			if f.localized && o.mix[scDraft] > 0 {
				pools[scDraft] = append(pools[scDraft], list("&aposMode=draft", true))
				for _, id := range f.drafts {
					pools[scDraft] = append(pools[scDraft], request{method: "GET", url: typeURL + "/" + url.PathEscape(id), auth: true})
				}
			}
			if o.mix[scWrite] > 0 {
				// A locale without documents has none to copy: it gets
				// no write cycle, unless -body says what to create.
				if body, err := o.createBody(f.sample); err == nil {
					writers = append(writers, newWriter(typeURL, loc, body))
				}
			}
			if !f.localized {
				break // one locale is all an unlocalized type has
			}
		}
	}
	p := newPlan(target, o.cred, o.mix, pools, writers)
	for sc, w := range o.mix {
		if w > 0 && len(pools[sc]) == 0 && !(scenario(sc) == scWrite && len(writers) > 0) {
			return nil, fmt.Errorf("scenario %s has nothing to send: %s", scenario(sc), nothingToSend(scenario(sc)))
		}
	}
	return p, nil
}

// nothingToSend explains why discovery found nothing for a scenario.
func nothingToSend(sc scenario) string {
	switch sc {
	case scSearch:
		return "no document has a title to take search terms from"
	case scFilter:
		return "no field to filter on was found; name one with -filter field=value"
	case scDraft:
		return "no localized type has drafts"
	case scWrite:
		return "no type has a document to copy; give one to create with -body"
	}
	return "the types have no documents in these locales"
}

// discoverType reads the first page at -per-page (for the page count),
// then pages of 100 until -ids documents are known, then the drafts.
func (o *options) discoverType(ctx context.Context, c *fasthttp.Client, typeURL, loc string) (*found, error) {
	f := &found{localized: true}
	base := typeURL + "?aposLocale=" + url.QueryEscape(loc)
	if o.query != "" {
		base += "&" + o.query // the page count of the list as it is sent
	}
	first, err := o.getJSON(ctx, c, fmt.Sprintf("%s&perPage=%d", base, o.perPage), o.authReads)
	if err != nil {
		return nil, err
	}
	f.pages = min(int(first.Get("pages").Int()), maxListPages)
	f.sample = first.Get("results.0")
	if id := f.sample.Get("_id").String(); id != "" && strings.Count(id, ":") != 2 {
		f.localized = false
	}
	per := min(o.ids, 100)
	for page := 1; len(f.ids) < o.ids; page++ {
		body, err := o.getJSON(ctx, c, fmt.Sprintf("%s&perPage=%d&page=%d", base, per, page), o.authReads)
		if err != nil {
			return nil, err
		}
		res := body.Get("results").Array()
		for _, d := range res {
			if len(f.ids) < o.ids {
				f.ids = append(f.ids, d.Get("_id").String())
				f.words = addWord(f.words, d.Get("title").String())
			}
		}
		if len(res) < per || page >= int(body.Get("pages").Int()) {
			break
		}
	}
	if f.localized && o.mix[scDraft] > 0 {
		body, err := o.getJSON(ctx, c, fmt.Sprintf("%s&aposMode=draft&perPage=%d", base, per), true)
		if err != nil {
			return nil, fmt.Errorf("listing drafts: %w", err)
		}
		for _, d := range body.Get("results").Array() {
			f.drafts = append(f.drafts, d.Get("_id").String())
		}
	}
	return f, nil
}

// maxListPages bounds the pages of the list scenario.
const maxListPages = 50

// getJSON reads a list response, which must be a 200 with a results array.
func (o *options) getJSON(ctx context.Context, c *fasthttp.Client, u string, auth bool) (gjson.Result, error) {
	cred := ""
	if auth {
		cred = o.cred
	}
	code, body, err := do(ctx, c, "GET", u, cred, nil)
	if err != nil {
		return gjson.Result{}, err
	}
	r := gjson.ParseBytes(body)
	if code != fasthttp.StatusOK || !r.Get("results").IsArray() {
		return r, fmt.Errorf("GET %s: status %d, not an Apostrophe list: %s", u, code, excerpt(body))
	}
	return r, nil
}

// excerpt shortens a response body for an error message.
func excerpt(b []byte) string {
	const max = 200
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}

// addWord adds the first word of title of three letters or more as a
// search term, lower-cased, once; ten terms are enough.
func addWord(words []string, title string) []string {
	for _, w := range strings.FieldsFunc(title, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if len([]rune(w)) < 3 {
			continue
		}
		w = strings.ToLower(w)
		for _, have := range words {
			if have == w {
				return words
			}
		}
		if len(words) < 10 {
			words = append(words, w)
		}
		return words
	}
	return words
}
