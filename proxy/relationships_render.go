package proxy

import "github.com/aposproxy/aposproxy/apos"

// appendTo adds the relationships of the document docID to its rendering
// dst (which ends with the document's closing brace): for a relationship
// that stores links, Apostrophe's storage fields <name>Ids and
// <name>Fields, then the array _<name> of the related documents, each
// rendered as its own type renders it for who, with _fields
// (docs/api-rules.md#173).
func (rl *related) appendTo(dst []byte, docID string, who *apos.Principal) []byte {
	if rl == nil {
		return dst
	}
	dst = dst[:len(dst)-1]
	for i := range rl.d.rels {
		docs := rl.rels[i]
		if docs == nil {
			continue
		}
		f := &rl.d.rels[i]
		list := docs[docID]
		if f.Reverse == "" {
			dst = appendStorage(dst, f, list)
		}
		dst = append(dst, ',')
		dst = appendString(dst, f.Name)
		dst = append(dst, ":["...)
		for j, rd := range list {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = f.to.appendDoc(dst, rd.rec, who, f.project)
			dst = append(dst[:len(dst)-1], `,"_fields":`...)
			dst = appendObject(dst, rd.fields)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

// appendStorage adds <name>Ids and <name>Fields.
func appendStorage(dst []byte, f *relField, list []relDoc) []byte {
	dst = append(dst, ',')
	dst = appendString(dst, f.Base()+"Ids")
	dst = append(dst, ":["...)
	for j, rd := range list {
		if j > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, rd.rec.DocID)
	}
	dst = append(dst, "],"...)
	dst = appendString(dst, f.Base()+"Fields")
	dst = append(dst, ":{"...)
	for j, rd := range list {
		if j > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, rd.rec.DocID)
		dst = append(dst, ':')
		dst = appendObject(dst, rd.fields)
	}
	return append(dst, '}')
}

// appendObject appends a JSON object, {} when o is empty.
func appendObject(dst, o []byte) []byte {
	if len(o) == 0 {
		return append(dst, "{}"...)
	}
	return append(dst, o...)
}
