package robokassa

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The XML web service's answers (spec §8) are small, flat documents:
// elements, attributes, text, an XML declaration, perhaps a namespace or a
// comment. OpStateExt is the call a shop polls, so instead of
// encoding/xml's reflection (about 130 allocations for one answer) they
// are read by this scanner into a flat table of elements: one pass, one
// copy of the body, no allocation per element. Elements and attributes
// are matched by local name, so any namespace (or none) matches. A
// differential test and a fuzz target hold it to encoding/xml.

// xmlDoc is a parsed answer. Element 0 is the root.
type xmlDoc struct {
	elems []xmlElem
	attrs []xmlAttr
}

type xmlElem struct {
	name              string // local name
	qname             string // as written, to match the end tag
	text              string // the element's own character data
	parent, kid, next int32  // first child and next sibling; -1 for none
	lastKid           int32
	attr0, attrN      int32 // attrs[attr0:attrN]
}

type xmlAttr struct{ name, value string }

const maxXMLDepth = 64

var errXML = errors.New("not well-formed XML")

// parseXML reads b, which must be UTF-8, into a document. It accepts what
// a web-service answer holds and refuses the rest (a DOCTYPE, another
// encoding, mismatched tags, unknown entities). Like encoding/xml, it lets
// attributes follow one another without a space and repeat (attr reads
// the first).
func parseXML(b []byte) (*xmlDoc, error) {
	if !utf8.Valid(b) {
		return nil, errors.New("not UTF-8")
	}
	// The answer's bytes are never changed after they are read, so the
	// document's strings can share them.
	s := strings.TrimPrefix(bytesToString(b), "\uFEFF")
	// Each element has a start and (unless empty) an end tag: half the
	// count of "<" is room for every element in the usual case.
	d := &xmlDoc{elems: make([]xmlElem, 0, strings.Count(s, "<")/2+1)}
	cur := int32(-1)
	depth := 0
	for i := 0; i < len(s); {
		lt := strings.IndexByte(s[i:], '<')
		if lt < 0 {
			lt = len(s) - i
		}
		if lt > 0 { // character data
			text, err := xmlUnescape(s[i : i+lt])
			if err != nil {
				return nil, err
			}
			if cur < 0 {
				if strings.TrimSpace(text) != "" {
					return nil, errors.New("text outside the root element")
				}
			} else if e := &d.elems[cur]; e.text == "" {
				e.text = text
			} else {
				e.text += text
			}
			i += lt
			continue
		}
		if i >= len(s) {
			break
		}
		rest := s[i:]
		switch {
		case strings.HasPrefix(rest, "<?"):
			end := strings.Index(rest[2:], "?>")
			if end < 0 {
				return nil, errXML
			}
			if err := xmlDeclaration(rest[2 : 2+end]); err != nil {
				return nil, err
			}
			i += 2 + end + 2
		case strings.HasPrefix(rest, "<!--"):
			end := strings.Index(rest[4:], "-->")
			if end < 0 {
				return nil, errXML
			}
			i += 4 + end + 3
		case strings.HasPrefix(rest, "<![CDATA["):
			end := strings.Index(rest, "]]>")
			if end < 0 || cur < 0 {
				return nil, errXML
			}
			d.elems[cur].text += xmlNewlines(rest[9:end])
			i += end + 3
		case strings.HasPrefix(rest, "<!"):
			return nil, errors.New("a DOCTYPE or other declaration")
		case strings.HasPrefix(rest, "</"):
			end := strings.IndexByte(rest, '>')
			if end < 0 || cur < 0 || strings.TrimRight(rest[2:end], " \t\r\n") != d.elems[cur].qname {
				return nil, errors.New("mismatched end tag")
			}
			cur = d.elems[cur].parent
			depth--
			i += end + 1
			if cur < 0 {
				return d, xmlTrailer(s[i:])
			}
		default:
			n, selfClosing, err := d.startTag(rest, cur)
			if err != nil {
				return nil, err
			}
			i += n
			if selfClosing {
				if cur < 0 {
					return d, xmlTrailer(s[i:])
				}
				continue
			}
			cur = int32(len(d.elems) - 1)
			if depth++; depth > maxXMLDepth {
				return nil, errors.New("elements nested too deep")
			}
		}
	}
	return nil, errors.New("no complete root element")
}

// startTag reads the start tag at the beginning of s, appends the element
// under parent and returns the tag's length.
func (d *xmlDoc) startTag(s string, parent int32) (n int, selfClosing bool, err error) {
	if parent < 0 && len(d.elems) > 0 {
		return 0, false, errors.New("more than one root element")
	}
	i := 1
	qname := xmlName(s[i:])
	if qname == "" {
		return 0, false, errXML
	}
	i += len(qname)
	e := xmlElem{name: localName(qname), qname: qname, parent: parent, kid: -1, next: -1, lastKid: -1,
		attr0: int32(len(d.attrs))}
	for {
		j := i
		for j < len(s) && isXMLSpace(s[j]) {
			j++
		}
		if j == len(s) {
			return 0, false, errXML
		}
		if s[j] == '>' || strings.HasPrefix(s[j:], "/>") {
			selfClosing = s[j] == '/'
			n = j + 1
			if selfClosing {
				n++
			}
			break
		}
		name := xmlName(s[j:])
		if name == "" {
			return 0, false, errXML
		}
		j += len(name)
		for j < len(s) && isXMLSpace(s[j]) {
			j++
		}
		if j >= len(s) || s[j] != '=' {
			return 0, false, errXML
		}
		j++
		for j < len(s) && isXMLSpace(s[j]) {
			j++
		}
		if j >= len(s) || s[j] != '"' && s[j] != '\'' {
			return 0, false, errXML
		}
		end := strings.IndexByte(s[j+1:], s[j])
		if end < 0 || strings.IndexByte(s[j+1:j+1+end], '<') >= 0 {
			return 0, false, errXML
		}
		value, err := xmlUnescape(s[j+1 : j+1+end])
		if err != nil {
			return 0, false, err
		}
		d.attrs = append(d.attrs, xmlAttr{localName(name), value})
		i = j + 1 + end + 1
	}
	e.attrN = int32(len(d.attrs))
	d.elems = append(d.elems, e)
	me := int32(len(d.elems) - 1)
	if parent >= 0 {
		p := &d.elems[parent]
		if p.lastKid < 0 {
			p.kid = me
		} else {
			d.elems[p.lastKid].next = me
		}
		p.lastKid = me
	}
	return n, selfClosing, nil
}

// xmlDeclaration accepts an XML declaration in UTF-8 (or with no
// encoding named) and any other processing instruction. Like
// encoding/xml, it reads the encoding from encoding="…" or encoding='…'.
func xmlDeclaration(pi string) error {
	rest, ok := strings.CutPrefix(pi, "xml")
	if !ok || rest != "" && !isXMLSpace(rest[0]) {
		return nil // another processing instruction
	}
	for {
		_, after, found := strings.Cut(rest, "encoding=")
		if !found || after == "" {
			return nil
		}
		rest = after
		if q := after[0]; q == '"' || q == '\'' {
			end := strings.IndexByte(after[1:], q)
			if end < 0 {
				return nil
			}
			if name := after[1 : 1+end]; !strings.EqualFold(name, "utf-8") {
				return errors.New("encoding " + strconv.Quote(truncate(name, 20)) + " is not UTF-8")
			}
			return nil
		}
	}
}

// xmlTrailer accepts what may follow the root: white space, comments and
// processing instructions.
func xmlTrailer(s string) error {
	for {
		s = strings.TrimLeft(s, " \t\r\n")
		switch {
		case s == "":
			return nil
		case strings.HasPrefix(s, "<!--"):
			end := strings.Index(s[4:], "-->")
			if end < 0 {
				return errXML
			}
			s = s[4+end+3:]
		case strings.HasPrefix(s, "<?"):
			end := strings.Index(s[2:], "?>")
			if end < 0 {
				return errXML
			}
			s = s[2+end+2:]
		default:
			return errors.New("content after the root element")
		}
	}
}

// xmlName returns the name at the start of s: letters, digits, '_', '-',
// '.', ':' and any non-ASCII character, not starting with a digit, '-' or
// '.'.
func xmlName(s string) string {
	i := 0
	for i < len(s) {
		c := s[i]
		if c >= 0x80 || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == ':' ||
			i > 0 && ('0' <= c && c <= '9' || c == '-' || c == '.') {
			i++
			continue
		}
		break
	}
	return s[:i]
}

// localName returns the part of a qualified name after its prefix; a
// name with a colon at either end has no prefix, as in encoding/xml.
func localName(q string) string {
	if space, local, ok := strings.Cut(q, ":"); ok && space != "" && local != "" {
		return local
	}
	return q
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// xmlNewlines normalises line ends to "\n", as XML says a parser must.
func xmlNewlines(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// xmlUnescape normalises line ends and decodes the five predefined
// entities and character references; an unknown entity is an error.
func xmlUnescape(s string) (string, error) {
	s = xmlNewlines(s)
	amp := strings.IndexByte(s, '&')
	if amp < 0 {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for amp >= 0 {
		b.WriteString(s[:amp])
		s = s[amp:]
		semi := strings.IndexByte(s, ';')
		if semi < 0 {
			return "", errors.New("unterminated entity")
		}
		switch ent := s[1:semi]; ent {
		case "lt":
			b.WriteByte('<')
		case "gt":
			b.WriteByte('>')
		case "amp":
			b.WriteByte('&')
		case "quot":
			b.WriteByte('"')
		case "apos":
			b.WriteByte('\'')
		default:
			var r uint64
			var err error
			switch {
			case strings.HasPrefix(ent, "#x"):
				r, err = strconv.ParseUint(ent[2:], 16, 32)
			case strings.HasPrefix(ent, "#"):
				r, err = strconv.ParseUint(ent[1:], 10, 32)
			default:
				return "", errors.New("unknown entity")
			}
			if err != nil || r == 0 || r > utf8.MaxRune || !utf8.ValidRune(rune(r)) {
				return "", errors.New("bad character reference")
			}
			b.WriteRune(rune(r))
		}
		s = s[semi+1:]
		amp = strings.IndexByte(s, '&')
	}
	b.WriteString(s)
	return b.String(), nil
}

// child returns the first child of e with the local name, or -1.
func (d *xmlDoc) child(e int32, name string) int32 {
	if e < 0 {
		return -1
	}
	for k := d.elems[e].kid; k >= 0; k = d.elems[k].next {
		if d.elems[k].name == name {
			return k
		}
	}
	return -1
}

// children returns the children of e with the local name.
func (d *xmlDoc) children(e int32, name string) []int32 {
	var out []int32
	if e < 0 {
		return nil
	}
	for k := d.elems[e].kid; k >= 0; k = d.elems[k].next {
		if d.elems[k].name == name {
			out = append(out, k)
		}
	}
	return out
}

// text returns the text of e (trimmed), or "" when e is -1.
func (d *xmlDoc) text(e int32) string {
	if e < 0 {
		return ""
	}
	return strings.TrimSpace(d.elems[e].text)
}

// rawText returns the text of e as written, or "" when e is -1.
func (d *xmlDoc) rawText(e int32) string {
	if e < 0 {
		return ""
	}
	return d.elems[e].text
}

// attr returns the attribute of e with the local name, or "".
func (d *xmlDoc) attr(e int32, name string) string {
	if e < 0 {
		return ""
	}
	for _, a := range d.attrs[d.elems[e].attr0:d.elems[e].attrN] {
		if a.name == name {
			return a.value
		}
	}
	return ""
}
