package robokassa

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// xmlTree renders a parsed element as text: name, attributes, text and
// children, for comparing the scanner with encoding/xml.
func (d *xmlDoc) tree(e int32) string {
	var b strings.Builder
	b.WriteString("<" + d.elems[e].name)
	for _, a := range d.attrs[d.elems[e].attr0:d.elems[e].attrN] {
		b.WriteString(" " + a.name + "=" + a.value)
	}
	b.WriteString(">" + d.elems[e].text)
	for k := d.elems[e].kid; k >= 0; k = d.elems[k].next {
		b.WriteString(d.tree(k))
	}
	return b.String() + "</>"
}

// stdTree parses b with encoding/xml (strict) into the same rendering,
// or reports that encoding/xml refuses it or that it is not one root
// element without a DOCTYPE.
func stdTree(b []byte) (string, bool) {
	type node struct {
		head, text string
		kids       []*node
	}
	var render func(n *node) string
	render = func(n *node) string {
		s := n.head + n.text
		for _, k := range n.kids {
			s += render(k)
		}
		return s + "</>"
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return "", false // a second root
			}
			head := "<" + t.Name.Local
			for _, a := range t.Attr {
				head += " " + a.Name.Local + "=" + a.Value
			}
			n := &node{head: head + ">"}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			} else if len(bytes.TrimSpace(t)) > 0 {
				return "", false
			}
		case xml.Directive:
			return "", false // the scanner refuses a DOCTYPE
		}
	}
	if root == nil || len(stack) > 0 {
		return "", false
	}
	return render(root), true
}

// TestXMLScannerMatchesEncodingXML reads every web-service fixture, and a
// few documents made to test the corners, both ways.
func TestXMLScannerMatchesEncodingXML(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "opstate", "*.xml"))
	require.NoError(t, err)
	docs := map[string][]byte{}
	for _, p := range files {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		docs[p] = b
	}
	for name, s := range map[string]string{
		"entities":      `<a x="1 &amp; 2 &lt;3&gt; &quot;q&quot; &apos;" y='&#1087;&#x44F;'>t&amp;&#65;<!-- c --><![CDATA[<raw>&amp;]]>u</a>`,
		"namespaces":    `<?xml version="1.0"?><p:a xmlns:p="urn:x" xmlns="urn:y"><p:b p:c="1"/><d>  2 </d></p:a>`,
		"declaration":   `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n<a/>\n<!-- end -->\n",
		"nested":        `<a><b><c><d>deep</d></c></b><b/></a>`,
		"mixed text":    "<a>one<b/>two<c>x</c>three</a>",
		"spaces in tag": "<a  x = \"1\"\n\ty='2' ></a >",
	} {
		docs[name] = []byte(s)
	}
	for name, b := range docs {
		t.Run(name, func(t *testing.T) {
			d, err := parseXML(b)
			want, ok := stdTree(b)
			if !ok { // the truncated fixtures
				assert.Error(t, err, "encoding/xml refuses %s", name)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, want, d.tree(0))
		})
	}
	// A byte-order mark, which .NET writes and encoding/xml refuses.
	d, err := parseXML([]byte("\uFEFF<a>x</a>"))
	require.NoError(t, err)
	assert.Equal(t, "<a>x</>", d.tree(0))
	for name, s := range map[string]string{
		"doctype":         `<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>`,
		"unknown entity":  `<a>&nbsp;</a>`,
		"mismatched":      `<a><b></a></b>`,
		"two roots":       `<a/><b/>`,
		"unclosed":        `<a><b>`,
		"text outside":    `x<a/>`,
		"other encoding":  `<?xml version="1.0" encoding="windows-1251"?><a/>`,
		"not utf-8":       "<a>\xff</a>",
		"bad attribute":   `<a x=1/>`,
		"lt in attribute": `<a x="<"/>`,
		"empty":           ``,
		"too deep":        strings.Repeat("<a>", maxXMLDepth+1) + strings.Repeat("</a>", maxXMLDepth+1),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseXML([]byte(s))
			assert.Error(t, err)
		})
	}
}

// FuzzXMLScanner: whatever encoding/xml reads as one root element, the
// scanner reads the same way; nothing panics. The documented differences:
// the scanner refuses any byte that is not UTF-8 (encoding/xml lets some
// through inside processing instructions) and accepts control characters
// in text and a byte-order mark.
func FuzzXMLScanner(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "opstate", "*"))
	require.NoError(f, err)
	for _, p := range files {
		b, err := os.ReadFile(p)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte(`<a x="&amp;"><![CDATA[y]]><!--z--><?pi?></a>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := parseXML(b)
		if !utf8.Valid(b) {
			require.Error(t, err)
			return
		}
		want, ok := stdTree(b)
		if !ok {
			return
		}
		require.NoError(t, err, "encoding/xml reads it")
		require.Equal(t, want, d.tree(0))
	})
}
