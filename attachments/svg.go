package attachments

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// SVGs are made safe before they are stored (docs/api-rules.md#193), as
// Apostrophe does with DOMPurify: the document is parsed as XML and
// written again with only the SVG elements of svgElements; every event
// handler (on*), every reference that is not to a fragment of the file
// itself (href="#..."), every javascript: or data: value, and everything
// else (scripts, styles, foreignObject, comments, processing
// instructions, DOCTYPEs) is left out. No Go library does this for SVG:
// bluemonday, made for HTML, lowercases names (viewBox) and knows no SVG.

const (
	svgNS   = "http://www.w3.org/2000/svg"
	xlinkNS = "http://www.w3.org/1999/xlink"
)

var svgElements = setOf("svg g defs symbol use title desc path rect circle ellipse line polyline polygon " +
	"text tspan textPath linearGradient radialGradient stop clipPath mask pattern marker switch view " +
	"filter feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix feDiffuseLighting " +
	"feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR feGaussianBlur " +
	"feMerge feMergeNode feMorphology feOffset fePointLight feSpecularLighting feSpotLight feTile feTurbulence")

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

var errNotSVG = errors.New("not an SVG document")

// sanitizeSVG returns the safe copy of the SVG document read from r, or
// an error when it is not well-formed XML with an <svg> root.
func sanitizeSVG(r io.Reader) ([]byte, error) {
	dec := xml.NewDecoder(r)
	var out bytes.Buffer
	depth, skip, root := 0, 0, false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if skip > 0 || !allowedElement(t.Name, depth, root) {
				skip++
				continue
			}
			root = true
			writeStart(&out, t, depth == 1)
		case xml.EndElement:
			depth--
			if skip > 0 {
				skip--
				continue
			}
			out.WriteString("</" + t.Name.Local + ">")
		case xml.CharData:
			if skip == 0 && depth > 0 {
				_ = xml.EscapeText(&out, t)
			}
		}
	}
	if !root {
		return nil, errNotSVG
	}
	return out.Bytes(), nil
}

// allowedElement says whether an element is kept: the root must be
// <svg>, the others any SVG element of the list.
func allowedElement(n xml.Name, depth int, root bool) bool {
	if depth == 1 {
		return n.Local == "svg" && (n.Space == svgNS || n.Space == "")
	}
	return root && (n.Space == svgNS || n.Space == "") && svgElements[n.Local]
}

// writeStart writes the start tag of an element with its safe attributes;
// the root declares the namespaces.
func writeStart(out *bytes.Buffer, t xml.StartElement, isRoot bool) {
	out.WriteString("<" + t.Name.Local)
	if isRoot {
		out.WriteString(` xmlns="` + svgNS + `" xmlns:xlink="` + xlinkNS + `"`)
	}
	for _, a := range t.Attr {
		name, ok := safeAttr(a)
		if !ok {
			continue
		}
		out.WriteString(" " + name + `="`)
		_ = xml.EscapeText(out, []byte(a.Value))
		out.WriteByte('"')
	}
	out.WriteByte('>')
}

// safeAttr returns the name an attribute is written with, or false when
// it is left out.
func safeAttr(a xml.Attr) (string, bool) {
	local := a.Name.Local
	name := local
	switch a.Name.Space {
	case "":
		if local == "xmlns" {
			return "", false // written at the root
		}
	case xlinkNS, "xlink":
		name = "xlink:" + local
	case "xml", "http://www.w3.org/XML/1998/namespace":
		name = "xml:" + local
	default:
		return "", false // xmlns declarations (written at the root) and foreign attributes
	}
	lower := strings.ToLower(local)
	value := strings.ToLower(strings.Join(strings.Fields(a.Value), ""))
	switch {
	case strings.HasPrefix(lower, "on"):
		return "", false
	case lower == "href" || lower == "src":
		return name, strings.HasPrefix(a.Value, "#")
	case strings.Contains(value, "javascript:") || strings.Contains(value, "data:") ||
		strings.Contains(value, "url(") && !strings.Contains(value, "url(#") || strings.Contains(value, "@import"):
		return "", false
	}
	return name, true
}
