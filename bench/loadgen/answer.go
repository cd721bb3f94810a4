package loadgen

import (
	"bytes"
	"errors"
	"strconv"
)

// answer reads one HTTP/1.1 response as its bytes arrive, in whatever
// pieces the reads cut them: the epoll engine (epoll_linux.go) parses the
// answers itself rather than through a client library, which would want
// a goroutine per connection. It reads what the load generator needs and
// no more: the status, how the body is delimited (Content-Length, the
// chunked transfer coding, or the end of the connection) and whether the
// connection closes after it; of the body it keeps what the check of a
// read needs (its first and last bytes other than white space, see
// jsonDocument), and the whole body only when asked (a POST's answer,
// for the write cycles).
type answer struct {
	st   answerState
	line []byte // a head or a line cut by the end of a read, carried over
	// code is the status, once the head is read.
	code int
	// left counts the body's bytes still to come: the whole body, or the
	// current chunk.
	left int64
	// close is set when the connection ends after this answer
	// (Connection: close, HTTP/1.0, or a body delimited by the end).
	close        bool
	noBody, keep bool // the request was a HEAD; keep the body
	body         []byte
	// first and last are the body's first and last bytes other than
	// white space, nonSpace how many such bytes there were (up to 2).
	first, last byte
	nonSpace    int
}

type answerState uint8

const (
	stHead       answerState = iota // the status line and the headers
	stBody                          // left bytes of a Content-Length body
	stChunkSize                     // a chunk's size line
	stChunkData                     // left bytes of a chunk
	stChunkEnd                      // the CRLF after a chunk's data
	stTrailer                       // the trailer's lines, up to an empty one
	stUntilClose                    // a body that the end of the connection ends
	stDone
)

// maxHead bounds an answer's head (and a chunk's size line), so that a
// target sending garbage costs memory up to a point only.
const maxHead = 64 << 10

var (
	errBadStatus = errors.New("not an HTTP/1.x status line")
	errBadLength = errors.New("a bad Content-Length")
	errBadChunk  = errors.New("a bad chunk size")
	errHeadSize  = errors.New("a head longer than 64 KiB")
)

// reset prepares a to read the answer to a request of method.
func (a *answer) reset(method string) {
	*a = answer{line: a.line[:0], body: a.body[:0], noBody: method == "HEAD", keep: method == "POST"}
}

// jsonDocument reports whether the body is one JSON object or array as
// far as its first and last bytes tell: the streaming form of the
// function of the same name.
func (a *answer) jsonDocument() bool {
	return a.nonSpace >= 2 && (a.first == '{' && a.last == '}' || a.first == '[' && a.last == ']')
}

// feed reads data, the next bytes of the connection, and returns how many
// of them belong to this answer and whether it is complete. Bytes after a
// complete answer are not consumed.
func (a *answer) feed(data []byte) (n int, done bool, err error) {
	for n < len(data) && a.st != stDone {
		var k int
		switch a.st {
		case stHead:
			var head []byte
			if head, k, err = a.cut(data[n:], "\r\n\r\n"); err == nil && head != nil {
				err = a.parseHead(head)
				a.line = a.line[:0]
			}
		case stBody, stChunkData:
			k = int(min(a.left, int64(len(data)-n)))
			a.bodyBytes(data[n : n+k])
			if a.left -= int64(k); a.left == 0 && a.st == stBody {
				a.st = stDone
			} else if a.left == 0 {
				a.st = stChunkEnd
			}
		case stChunkEnd, stChunkSize, stTrailer:
			var line []byte
			if line, k, err = a.cut(data[n:], "\r\n"); err == nil && line != nil {
				err = a.endLine(line[:len(line)-2])
				a.line = a.line[:0]
			}
		case stUntilClose:
			k = len(data) - n
			a.bodyBytes(data[n:])
		}
		n += k
		if err != nil {
			return n, false, err
		}
	}
	return n, a.st == stDone, nil
}

// eof tells a that the connection ended, and reports whether that
// completed the answer (a body that the end of the connection ends).
func (a *answer) eof() bool {
	if a.st == stUntilClose {
		a.st = stDone
	}
	return a.st == stDone
}

// started reports whether any byte of the answer was read.
func (a *answer) started() bool { return a.st != stHead || len(a.line) > 0 }

// cut looks for sep at the end of what a.line holds and data's start: it
// returns the bytes up to and including sep (nil when sep is not there
// yet, all of data then being carried over in a.line) and how many bytes
// of data it used.
func (a *answer) cut(data []byte, sep string) ([]byte, int, error) {
	if len(a.line) == 0 {
		if i := bytes.Index(data, []byte(sep)); i >= 0 {
			return data[:i+len(sep)], i + len(sep), nil
		}
	}
	from := max(len(a.line)-len(sep)+1, 0)
	a.line = append(a.line, data...)
	if i := bytes.Index(a.line[from:], []byte(sep)); i >= 0 {
		end := from + i + len(sep)
		used := len(data) - (len(a.line) - end)
		a.line = a.line[:end]
		return a.line, used, nil
	}
	if len(a.line) > maxHead {
		return nil, len(data), errHeadSize
	}
	return nil, len(data), nil
}

// parseHead reads the status line and the headers that delimit the body
// or end the connection.
func (a *answer) parseHead(head []byte) error {
	status, rest, _ := bytes.Cut(head, []byte("\r\n"))
	if len(status) < 12 || !bytes.HasPrefix(status, []byte("HTTP/1.")) || status[8] != ' ' {
		return errBadStatus
	}
	code := 0
	for _, c := range status[9:12] {
		if c < '0' || c > '9' {
			return errBadStatus
		}
		code = code*10 + int(c-'0')
	}
	if code < 100 || len(status) > 12 && status[12] != ' ' {
		return errBadStatus
	}
	var err error
	http10 := status[7] == '0'
	length, chunked, closing, keepAlive := int64(-1), false, false, false
	for len(rest) > 0 {
		var line []byte
		line, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.ParseInt(string(value), 10, 64); err != nil || length < 0 {
				return errBadLength
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = hasToken(value, "chunked")
		case bytes.EqualFold(name, []byte("Connection")):
			closing = closing || hasToken(value, "close")
			keepAlive = keepAlive || hasToken(value, "keep-alive")
		}
	}
	if code < 200 && code != 101 {
		a.st = stHead // an interim answer (100 Continue): the real one follows
		return nil
	}
	a.code = code
	a.close = closing || http10 && !keepAlive || code == 101
	switch {
	case a.noBody || code == 204 || code == 304 || code == 101:
		a.st = stDone
	case chunked:
		a.st = stChunkSize
	case length == 0:
		a.st = stDone
	case length > 0:
		a.st, a.left = stBody, length
	default:
		a.st, a.close = stUntilClose, true
	}
	return nil
}

// endLine reads a line of the chunked coding, without its CRLF.
func (a *answer) endLine(line []byte) error {
	switch a.st {
	case stChunkEnd:
		if len(line) != 0 {
			return errBadChunk
		}
		a.st = stChunkSize
	case stChunkSize:
		size, _, _ := bytes.Cut(line, []byte(";"))
		n, err := strconv.ParseInt(string(bytes.TrimSpace(size)), 16, 64)
		if err != nil || n < 0 {
			return errBadChunk
		}
		a.st, a.left = stChunkData, n
		if n == 0 {
			a.st = stTrailer
		}
	case stTrailer:
		if len(line) == 0 {
			a.st = stDone
		}
	}
	return nil
}

// bodyBytes takes in the next bytes of the body. Only the white space at
// either end of b is scanned: a large body costs no more than a small one.
func (a *answer) bodyBytes(b []byte) {
	if a.keep {
		a.body = append(a.body, b...)
	}
	i := 0
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	if i == len(b) {
		return
	}
	j := len(b) - 1
	for isSpace(b[j]) {
		j--
	}
	if a.nonSpace == 0 {
		a.first = b[i]
	}
	if a.nonSpace > 0 || j > i {
		a.nonSpace = 2 // two at least, in this piece or with an earlier one
	} else {
		a.nonSpace = 1
	}
	a.last = b[j]
}

// isSpace reports whether c is JSON's white space.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// hasToken reports whether a comma-separated header value holds token,
// in any case.
func hasToken(value []byte, token string) bool {
	for len(value) > 0 {
		var t []byte
		t, value, _ = bytes.Cut(value, []byte(","))
		if bytes.EqualFold(bytes.TrimSpace(t), []byte(token)) {
			return true
		}
	}
	return false
}
