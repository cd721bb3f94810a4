package oembed

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"

	"golang.org/x/net/html"
)

// maxTokenBytes bounds the tokenizer's buffer: a tag larger than this
// (an attribute of megabytes) ends the search.
const maxTokenBytes = 64 << 10

// jsonOEmbedTypes are the link types that name a JSON oEmbed endpoint:
// the standard's, and the one providers also write.
var jsonOEmbedTypes = [][]byte{[]byte("application/json+oembed"), []byte("text/json+oembed")}

// discover fetches the page u and returns the endpoint its first
// <link type="application/json+oembed" href="..."> names, resolved
// against the page's URL after redirects (docs/api-rules.md#211). The
// page is read as a stream of tokens, at most maxBody bytes of it, and
// never held whole.
func (s *Service) discover(ctx context.Context, u *url.URL) (string, error) {
	var found string
	err := s.fetch.get(ctx, u.String(), "text/html", func(body io.Reader, from *http.Request) error {
		href, ok := findLink(body)
		if !ok {
			return errNoDiscovery
		}
		ref, err := from.URL.Parse(href)
		if err != nil || (ref.Scheme != "http" && ref.Scheme != "https") || ref.Host == "" || ref.User != nil {
			return errBadEndpoint
		}
		found = ref.String()
		return nil
	})
	return found, err
}

// findLink returns the href of the first link whose type names a JSON
// oEmbed endpoint.
func findLink(r io.Reader) (string, bool) {
	z := html.NewTokenizer(r)
	z.SetMaxBuf(maxTokenBytes)
	for {
		switch z.Next() {
		case html.ErrorToken:
			return "", false
		case html.StartTagToken, html.SelfClosingTagToken:
			name, more := z.TagName()
			if !more || string(name) != "link" {
				continue
			}
			if href, ok := oembedHref(z); ok {
				return href, true
			}
		}
	}
}

// oembedHref reads the attributes of a link tag.
func oembedHref(z *html.Tokenizer) (string, bool) {
	var href string
	isOEmbed := false
	for more := true; more; {
		var key, val []byte
		key, val, more = z.TagAttr()
		switch string(key) {
		case "type":
			t := bytes.ToLower(bytes.TrimSpace(val))
			for _, want := range jsonOEmbedTypes {
				isOEmbed = isOEmbed || bytes.Equal(t, want)
			}
		case "href":
			href = string(bytes.TrimSpace(val))
		}
	}
	return href, isOEmbed && href != ""
}
