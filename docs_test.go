package robokassa_test

// The godoc and the README cite the protocol notes by section ("spec
// section 3.2", written with the section sign). These tests keep every
// such citation pointing at a heading that exists.
//
// This file writes the section sign only as the escape below, so that it
// holds no citation of its own for the checker to find.

import (
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	// sign is the section sign.
	sign = "\u00a7"

	// protocolNotes is what citations in the module refer to;
	// lifepayNotes is what citations under lifepay/ refer to.
	protocolNotes = "docs/protocol.md"
	lifepayNotes  = "docs/lifepay.md"
)

// sectionRef is one section citation found in a file.
type sectionRef struct {
	Line     int      // 1-based line of the section sign
	Text     string   // the citation as written, e.g. sign+sign+"3.2–3.3"
	Sections []string // the section numbers it names, e.g. {"3.2", "3.3"}
	Problem  string   // why it names no section, or "" when Sections is it
}

// extractSectionRefs finds every section citation in src. It reads:
//
//   - a number after the sign: "spec S12", "(S13)", "S4.4." (the final
//     period ends the sentence), "S 3" (blanks allowed, not a newline);
//   - one number per sign in a list: "S4, S5";
//   - a range after either sign, "S3.2–3.3" or "SS3.2-3.4" (hyphen, en
//     dash, em dash or ".."): siblings expand to every section between
//     them, other ranges name their two ends;
//   - after a double sign, a list of numbers and ranges separated by ",",
//     ";", "and" or "&": "SS3.2, 3.3 and 4.1".
//
// (S stands for the section sign.) It skips placeholders, a sign followed
// by capital letters such as "N" or "N.M", and citations of an RFC
// ("RFC 7515 S4"), which are not about the protocol notes. Anything else
// after a sign is reported as a Problem: a number with a letter attached
// ("3.2a": headings are plain numbers), a range that runs backwards, or
// no number at all.
func extractSectionRefs(src string) []sectionRef {
	var refs []sectionRef
	line, lineStart := 1, 0
	for i := 0; i < len(src); {
		if src[i] == '\n' {
			line++
			lineStart = i + 1
			i++
			continue
		}
		if !strings.HasPrefix(src[i:], sign) {
			i++
			continue
		}
		start := i
		j := i + len(sign)
		multi := strings.HasPrefix(src[j:], sign)
		if multi {
			j += len(sign)
		}
		j = skipBlanks(src, j)
		if citesExternal(src[lineStart:start]) {
			i = j
			continue
		}
		num, k := scanSectionNumber(src, j)
		if num == "" {
			if end, ok := scanPlaceholder(src, j); ok {
				i = end
				continue
			}
			end := min(j+8, len(src))
			for end < len(src) && !utf8.RuneStart(src[end]) {
				end++
			}
			refs = append(refs, sectionRef{Line: line, Text: clip(src[start:end]),
				Problem: "the section sign is not followed by a section number (write \"section\" in prose)"})
			i = j
			continue
		}
		ref := sectionRef{Line: line}
		for {
			if end, ok := scanLetters(src, k); ok {
				k, ref.Problem = end, letterProblem
				break
			}
			if end, ok := scanDash(src, k); ok {
				if num2, k2 := scanSectionNumber(src, end); num2 != "" {
					secs, problem := expandSectionRange(num, num2)
					ref.Sections = append(ref.Sections, secs...)
					if problem != "" {
						ref.Problem = problem
					}
					num, k = "", k2
					if end, ok := scanLetters(src, k); ok {
						k, ref.Problem = end, letterProblem
						break
					}
				}
			}
			if num != "" {
				ref.Sections = append(ref.Sections, num)
			}
			if !multi {
				break
			}
			next, k2 := scanListItem(src, k)
			if next == "" {
				break
			}
			num, k = next, k2
		}
		ref.Text = clip(src[start:k])
		if ref.Problem != "" {
			ref.Sections = nil
		}
		refs = append(refs, ref)
		i = k
	}
	return refs
}

const letterProblem = "a section number with a letter attached names no heading: headings are plain numbers"

// scanLetters reads the letters at s[i:], reporting whether there were
// any.
func scanLetters(s string, i int) (int, bool) {
	j := i
	for {
		r, n := utf8.DecodeRuneInString(s[j:])
		if n == 0 || !unicode.IsLetter(r) {
			return j, j > i
		}
		j += n
	}
}

// skipBlanks skips spaces, tabs and no-break spaces, never a newline.
func skipBlanks(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == ' ' || s[i] == '\t':
			i++
		case strings.HasPrefix(s[i:], "\u00a0"):
			i += len("\u00a0")
		default:
			return i
		}
	}
	return i
}

// scanSectionNumber reads digits, then ".digits" any number of times, at
// s[i:]. A period not followed by a digit is left alone.
func scanSectionNumber(s string, i int) (string, int) {
	j := i
	for {
		d := j
		for d < len(s) && '0' <= s[d] && s[d] <= '9' {
			d++
		}
		if d == j { // no digits: only possible at i, since a period is taken only before one
			break
		}
		j = d
		if j+1 < len(s) && s[j] == '.' && '0' <= s[j+1] && s[j+1] <= '9' {
			j++
			continue
		}
		break
	}
	return s[i:j], j
}

// scanPlaceholder reports whether s[i:] is a placeholder such as "N" or
// "N.M" (capital letters, each alone), returning its end.
func scanPlaceholder(s string, i int) (int, bool) {
	j := i
	for {
		if j >= len(s) || s[j] < 'A' || s[j] > 'Z' {
			return i, false
		}
		j++
		if j+1 < len(s) && s[j] == '.' && 'A' <= s[j+1] && s[j+1] <= 'Z' {
			j++
			continue
		}
		break
	}
	if r, _ := utf8.DecodeRuneInString(s[j:]); unicode.IsLetter(r) || unicode.IsDigit(r) {
		return i, false
	}
	return j, true
}

// scanDash reads blanks, a range dash and blanks at s[i:].
func scanDash(s string, i int) (int, bool) {
	j := skipBlanks(s, i)
	for _, d := range []string{"-", "\u2013", "\u2014", ".."} {
		if strings.HasPrefix(s[j:], d) {
			return skipBlanks(s, j+len(d)), true
		}
	}
	return i, false
}

// scanListItem reads a list separator and the number after it at s[i:].
func scanListItem(s string, i int) (string, int) {
	j := skipBlanks(s, i)
	sep := false
	if j < len(s) && (s[j] == ',' || s[j] == ';') {
		j = skipBlanks(s, j+1)
		sep = true
	}
	for _, w := range []string{"and ", "& "} {
		if strings.HasPrefix(s[j:], w) {
			j = skipBlanks(s, j+len(w))
			sep = true
		}
	}
	if !sep {
		return "", i
	}
	num, k := scanSectionNumber(s, j)
	if num == "" {
		return "", i
	}
	return num, k
}

// citesExternal reports whether the text before a section sign on its
// line ends with an RFC's name ("RFC 7515 "), so that the citation is of
// that document.
func citesExternal(before string) bool {
	s := strings.TrimRight(before, " \t\u00a0,")
	d := len(s)
	for d > 0 && '0' <= s[d-1] && s[d-1] <= '9' {
		d--
	}
	if d == len(s) {
		return false
	}
	s = strings.TrimRight(s[:d], " -\u00a0")
	if len(s) < 3 || !strings.EqualFold(s[len(s)-3:], "RFC") {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s[:len(s)-3])
	return !unicode.IsLetter(r)
}

// expandSectionRange lists the sections from a to b: every sibling
// between them when they share a parent, else the two ends.
func expandSectionRange(a, b string) ([]string, string) {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	if len(pa) != len(pb) || strings.Join(pa[:len(pa)-1], ".") != strings.Join(pb[:len(pb)-1], ".") {
		return []string{a, b}, ""
	}
	x, errX := strconv.Atoi(pa[len(pa)-1])
	y, errY := strconv.Atoi(pb[len(pb)-1])
	switch {
	case errX != nil || errY != nil:
		return nil, "the range's ends are not numbers"
	case y <= x:
		return nil, "the range does not run upwards"
	case y-x > 50:
		return nil, "the range spans more than 50 sections"
	}
	prefix := strings.Join(pa[:len(pa)-1], ".")
	if prefix != "" {
		prefix += "."
	}
	var out []string
	for n := x; n <= y; n++ {
		out = append(out, prefix+strconv.Itoa(n))
	}
	return out, ""
}

// clip shortens a citation for a message.
func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 40 {
		cut := 40
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// heading is a numbered heading of a notes file: "## 3. Title" or
// "### 3.1 Title".
type heading struct {
	Number string
	Level  int // the number of '#'
	Line   int
}

// parseHeadings returns the numbered headings of a Markdown file in
// order, outside fenced code blocks. Unnumbered headings are skipped.
func parseHeadings(src string) []heading {
	var hs []heading
	fence := ""
	for n, line := range strings.Split(src, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		if len(line)-len(trimmed) <= 3 {
			for _, f := range []string{"```", "~~~"} {
				if strings.HasPrefix(trimmed, f) {
					switch {
					case fence == "":
						fence = f
					case fence == f:
						fence = ""
					}
				}
			}
		}
		if fence != "" || !strings.HasPrefix(line, "#") {
			continue
		}
		level := len(line) - len(strings.TrimLeft(line, "#"))
		rest := line[level:]
		if level > 6 || (rest != "" && rest[0] != ' ' && rest[0] != '\t') {
			continue
		}
		rest = strings.TrimLeft(rest, " \t")
		num, k := scanSectionNumber(rest, 0)
		if num == "" {
			continue
		}
		if k < len(rest) && rest[k] == '.' {
			k++
		}
		if k < len(rest) && rest[k] != ' ' && rest[k] != '\t' {
			continue // "## 3.x" is not a section number
		}
		hs = append(hs, heading{Number: num, Level: level, Line: n + 1})
	}
	return hs
}

// sectionNumbers returns the numbers of hs.
func sectionNumbers(hs []heading) []string {
	nums := make([]string, len(hs))
	for i, h := range hs {
		nums[i] = h.Number
	}
	return nums
}

// citationTarget names the notes a file's citations refer to.
func citationTarget(file string) string {
	if strings.HasPrefix(file, "lifepay/") || file == lifepayNotes {
		return lifepayNotes
	}
	return protocolNotes
}

// citingFiles lists the files whose citations are checked: every .go
// file (outside testdata, vendor, and directories the go tool ignores),
// README.md and docs/*.md.
func citingFiles(fsys fs.FS) ([]string, error) {
	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != "." && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return fs.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".go") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if _, err := fs.Stat(fsys, "README.md"); err == nil {
		files = append(files, "README.md")
	}
	docs, err := fs.Glob(fsys, "docs/*.md")
	if err != nil {
		return nil, err
	}
	files = append(files, docs...)
	sort.Strings(files)
	return files, nil
}

// checkSectionRefs reports, as "file:line: …", every citation in fsys
// that names no heading of the notes it refers to, and every notes file
// that is needed but missing. checked counts the citations read.
func checkSectionRefs(fsys fs.FS) (problems []string, checked int, err error) {
	sections := map[string]map[string]bool{}
	for _, notes := range []string{protocolNotes, lifepayNotes} {
		b, err := fs.ReadFile(fsys, notes)
		if err != nil {
			continue
		}
		set := map[string]bool{}
		for _, n := range sectionNumbers(parseHeadings(string(b))) {
			set[n] = true
		}
		sections[notes] = set
	}
	if sections[protocolNotes] == nil {
		problems = append(problems, protocolNotes+": missing: the module's citations refer to it")
	}
	if fi, err := fs.Stat(fsys, "lifepay"); err == nil && fi.IsDir() && sections[lifepayNotes] == nil {
		problems = append(problems, lifepayNotes+": missing: lifepay/ exists and its citations refer to it")
	}
	files, err := citingFiles(fsys)
	if err != nil {
		return nil, 0, err
	}
	for _, file := range files {
		target := citationTarget(file)
		known := sections[target]
		if known == nil {
			continue // reported above
		}
		b, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, 0, err
		}
		for _, ref := range extractSectionRefs(string(b)) {
			checked++
			if ref.Problem != "" {
				problems = append(problems, fmt.Sprintf("%s:%d: %q: %s", file, ref.Line, ref.Text, ref.Problem))
				continue
			}
			for _, s := range ref.Sections {
				if !known[s] {
					problems = append(problems, fmt.Sprintf("%s:%d: %q: %s%s is not a heading of %s", file, ref.Line, ref.Text, sign, s, target))
				}
			}
		}
	}
	return problems, checked, nil
}

// TestSectionReferencesResolve checks every citation in the module
// against the headings of the notes it refers to.
func TestSectionReferencesResolve(t *testing.T) {
	problems, checked, err := checkSectionRefs(os.DirFS("."))
	require.NoError(t, err)
	require.Positive(t, checked, "no citation found: the walk or the scanner is broken")
	t.Logf("%d section citations checked", checked)
	if len(problems) > 0 {
		b, _ := os.ReadFile(protocolNotes) // its absence is among the problems
		nums := sectionNumbers(parseHeadings(string(b)))
		assert.Fail(t, fmt.Sprintf("%d section citation(s) do not resolve", len(problems)),
			"%s\n\n%s has sections %s. Fix the citation, or add the section to the notes.",
			strings.Join(problems, "\n"), protocolNotes, strings.Join(nums, ", "))
	}
}

func TestExtractSectionRefs(t *testing.T) {
	s := sign
	type want struct {
		line     int
		sections []string
		problem  bool
	}
	tests := []struct {
		name string
		src  string
		want []want
	}{
		{"plain", "// (spec " + s + "8).", []want{{1, []string{"8"}, false}}},
		{"subsection", "see protocol notes " + s + "3.2 for why", []want{{1, []string{"3.2"}, false}}},
		{"in parentheses", "(" + s + "13)", []want{{1, []string{"13"}, false}}},
		{"period ends the sentence", "spec " + s + "4.4.\nnext", []want{{1, []string{"4.4"}, false}}},
		{"inside a string literal", `"spec ` + s + `13"`, []want{{1, []string{"13"}, false}}},
		{"a sign per item", "(spec " + s + "3.1, " + s + "4, " + s + "5)",
			[]want{{1, []string{"3.1"}, false}, {1, []string{"4"}, false}, {1, []string{"5"}, false}}},
		{"single sign takes no list", s + "9.1, 4 items", []want{{1, []string{"9.1"}, false}}},
		{"blank after the sign", s + " 3\u00a0and", []want{{1, []string{"3"}, false}}},
		{"no-break space", s + "\u00a03.3", []want{{1, []string{"3.3"}, false}}},
		{"double sign en-dash range", s + s + "3.2\u20133.3", []want{{1, []string{"3.2", "3.3"}, false}}},
		{"range expands siblings", s + s + "3.1-3.4", []want{{1, []string{"3.1", "3.2", "3.3", "3.4"}, false}}},
		{"top-level range", s + s + "5 \u2014 7", []want{{1, []string{"5", "6", "7"}, false}}},
		{"range across parents names its ends", s + s + "3.4..4.2", []want{{1, []string{"3.4", "4.2"}, false}}},
		{"range after a single sign", s + "9.1\u20139.3", []want{{1, []string{"9.1", "9.2", "9.3"}, false}}},
		{"list after a double sign", s + s + "3.2, 3.3 and 4.1; 9.1\u20139.2 & 12",
			[]want{{1, []string{"3.2", "3.3", "4.1", "9.1", "9.2", "12"}, false}}},
		{"list ends at a word", s + s + "3.2 and more", []want{{1, []string{"3.2"}, false}}},
		{"line numbers", "a\nb " + s + "1\n\nc " + s + "2.1\n",
			[]want{{2, []string{"1"}, false}, {4, []string{"2.1"}, false}}},
		{"placeholder", "cited by section (" + s + "N)", nil},
		{"placeholder with subsection", "\"" + s + "N.M\" means", nil},
		{"RFC citation", "case-sensitive (RFC 7515 " + s + "4): only", nil},
		{"RFC citation with comma", "RFC 8259, " + s + "7", nil},
		{"not an RFC", "XRFC 7515 " + s + "4", []want{{1, []string{"4"}, false}}},
		{"letter suffix", s + "3.2a", []want{{1, nil, true}}},
		{"letter on a top-level number", s + "3b and", []want{{1, nil, true}}},
		{"lower-case placeholder", s + "n", []want{{1, nil, true}}},
		{"backwards range", s + s + "3.4-3.2", []want{{1, nil, true}}},
		{"no number", "the " + s + " sign", []want{{1, nil, true}}},
		{"sign at the end", "end " + s, []want{{1, nil, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			refs := extractSectionRefs(tt.src)
			require.Len(t, refs, len(tt.want), "%q", refs)
			for i, w := range tt.want {
				assert.Equal(t, w.line, refs[i].Line, "line of %q", refs[i].Text)
				assert.Equal(t, w.sections, refs[i].Sections, "sections of %q", refs[i].Text)
				assert.Equal(t, w.problem, refs[i].Problem != "", "problem of %q: %q", refs[i].Text, refs[i].Problem)
			}
		})
	}
}

func TestParseHeadings(t *testing.T) {
	src := strings.Join([]string{
		"# Title",          // 1: unnumbered
		"## Reading",       // 2: unnumbered
		"## 1. First",      // 3
		"### 1.1 Sub",      // 4
		"### 1.2. Sub",     // 5
		"```",              // 6
		"## 9. In a fence", // 7: skipped
		"```",              // 8
		"##2. No space",    // 9: not a heading
		"## 3.x Odd",       // 10: not a section number
		"## 2 Second",      // 11
		"####### 7. Seven", // 12: too deep
		"#### 2.1.1 Deep",  // 13
	}, "\n")
	want := []heading{
		{"1", 2, 3}, {"1.1", 3, 4}, {"1.2", 3, 5}, {"2", 2, 11}, {"2.1.1", 4, 13},
	}
	assert.Equal(t, want, parseHeadings(src))
}

// TestCheckSectionRefs runs the checker over a small module: it must
// report the dangling citations with file and line, and only those.
func TestCheckSectionRefs(t *testing.T) {
	s := sign
	notes := &fstest.MapFile{Data: []byte("# Notes\n\n## 1. One\n### 1.1 Sub\n## 2. Two\n\nSee " + s + "2.\n")}
	tests := []struct {
		name string
		fsys fstest.MapFS
		want []string
	}{
		{"all resolve", fstest.MapFS{
			protocolNotes: notes,
			"a.go":        {Data: []byte("package a\n// spec " + s + "1.1, " + s + s + "1\u20132\n")},
			"README.md":   {Data: []byte("See " + s + "2.\n")},
		}, nil},
		{"dangling citations", fstest.MapFS{
			protocolNotes:   notes,
			"a.go":          {Data: []byte("package a\n\n// spec " + s + "1.2 and " + s + "3\n")},
			"sub/b_test.go": {Data: []byte("package b\nvar _ = \"spec " + s + "4.1a\"\n")},
			"README.md":     {Data: []byte("\n\n\n" + s + s + "1\u20133\n")},
			"docs/other.md": {Data: []byte(s + "9\n")},
		}, []string{
			"README.md:4: \"" + s + s + "1\u20133\": " + s + "3 is not a heading of docs/protocol.md",
			"a.go:3: \"" + s + "1.2\": " + s + "1.2 is not a heading of docs/protocol.md",
			"a.go:3: \"" + s + "3\": " + s + "3 is not a heading of docs/protocol.md",
			"docs/other.md:1: \"" + s + "9\": " + s + "9 is not a heading of docs/protocol.md",
			"sub/b_test.go:2: \"" + s + "4.1a\": a section number with a letter attached names no heading: headings are plain numbers",
		}},
		{"skipped places", fstest.MapFS{
			protocolNotes:        notes,
			"testdata/x.go":      {Data: []byte(s + "99")},
			"sub/testdata/y.go":  {Data: []byte(s + "99")},
			".git/z.go":          {Data: []byte(s + "99")},
			"_old/z.go":          {Data: []byte(s + "99")},
			"vendor/v/z.go":      {Data: []byte(s + "99")},
			"notes.txt":          {Data: []byte(s + "99")},
			"CHANGELOG.md":       {Data: []byte(s + "99")},
			"docs/sub/deeper.md": {Data: []byte(s + "99")},
		}, nil},
		{"no protocol notes", fstest.MapFS{
			"a.go": {Data: []byte("package a // " + s + "1")},
		}, []string{"docs/protocol.md: missing: the module's citations refer to it"}},
		{"lifepay cites its own notes", fstest.MapFS{
			protocolNotes:   notes,
			lifepayNotes:    {Data: []byte("## 1. Params\n## 2. Signature\n### 2.1 v2\nsee " + s + "2.1\n")},
			"lifepay/lp.go": {Data: []byte("package lifepay // " + s + "2.1, " + s + "1.1\n")},
			"a.go":          {Data: []byte("package a // " + s + "1.1\n")},
		}, []string{
			"lifepay/lp.go:1: \"" + s + "1.1\": " + s + "1.1 is not a heading of docs/lifepay.md",
		}},
		{"lifepay without its notes", fstest.MapFS{
			protocolNotes:   notes,
			"lifepay/lp.go": {Data: []byte("package lifepay // " + s + "7\n")},
		}, []string{"docs/lifepay.md: missing: lifepay/ exists and its citations refer to it"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := checkSectionRefs(tt.fsys)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestProtocolNotesHeadings pins the numbering the code cites: every
// section and subsection below exists, with "##" for a section and "###"
// for a subsection, in increasing order, numbered without gaps or
// repeats. New sections may be added at the end of their level; none may
// move.
func TestProtocolNotesHeadings(t *testing.T) {
	b, err := os.ReadFile(protocolNotes)
	require.NoError(t, err)
	hs := parseHeadings(string(b))
	require.NotEmpty(t, hs)

	required := []string{"1", "2", "3", "3.1", "3.2", "3.3", "3.4", "4", "4.1", "4.2", "4.3", "4.4",
		"5", "6", "7", "8", "9", "9.1", "9.2", "9.3", "10", "11", "12", "13"}
	got := sectionNumbers(hs)
	for _, r := range required {
		assert.Contains(t, got, r, "%s: section %s is cited by the code", protocolNotes, r)
	}
	for i := 1; i < len(hs); i++ {
		assert.True(t, sectionLess(hs[i-1].Number, hs[i].Number), "%s:%d: section %s comes after %s",
			protocolNotes, hs[i].Line, hs[i].Number, hs[i-1].Number)
	}

	seen := map[string]int{}
	lastChild := map[string]int{} // parent ("" for the top level) -> last number seen
	for _, h := range hs {
		parts := strings.Split(h.Number, ".")
		assert.Len(t, parts, h.Level-1, "%s:%d: section %s needs %d '#'", protocolNotes, h.Line, h.Number, len(parts)+1)
		if prev, dup := seen[h.Number]; dup {
			assert.Fail(t, "repeated section", "%s:%d: section %s repeats line %d", protocolNotes, h.Line, h.Number, prev)
		}
		seen[h.Number] = h.Line
		parent := strings.Join(parts[:len(parts)-1], ".")
		if parent != "" {
			_, ok := seen[parent]
			assert.True(t, ok, "%s:%d: section %s comes before its parent %s", protocolNotes, h.Line, h.Number, parent)
		}
		n, err := strconv.Atoi(parts[len(parts)-1])
		require.NoError(t, err)
		assert.Equal(t, lastChild[parent]+1, n, "%s:%d: section %s: numbering has a gap or goes back", protocolNotes, h.Line, h.Number)
		lastChild[parent] = n
	}
}

// sectionLess orders section numbers as a reader does: 3 < 3.1 < 3.10 < 4.
func sectionLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return x < y
		}
	}
	return len(pa) < len(pb)
}

// TestProtocolNotesVectorFiles checks that every testdata path the notes
// point readers at exists: a rule pinned by a file that is gone is pinned
// by nothing.
func TestProtocolNotesVectorFiles(t *testing.T) {
	b, err := os.ReadFile(protocolNotes)
	require.NoError(t, err)
	var paths []string
	for rest := string(b); ; {
		i := strings.Index(rest, "`testdata/")
		if i < 0 {
			break
		}
		rest = rest[i+1:]
		end := strings.IndexByte(rest, '`')
		require.GreaterOrEqual(t, end, 0, "unclosed backquote before %.40q", rest)
		paths = append(paths, rest[:end])
		rest = rest[end+1:]
	}
	require.NotEmpty(t, paths, "the notes name their vector files in backquotes")
	for _, p := range paths {
		matches, err := fs.Glob(os.DirFS("."), strings.TrimSuffix(p, "/"))
		require.NoError(t, err, p)
		assert.NotEmpty(t, matches, "%s names %s, which matches no file", protocolNotes, p)
	}
}

func TestSectionLess(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"3", "3.1", true},
		{"3.1", "3", false},
		{"3.2", "3.10", true},
		{"9.3", "10", true},
		{"10", "9.3", false},
		{"4", "4", false},
	}
	for _, tt := range tests {
		t.Run(tt.a+"<"+tt.b, func(t *testing.T) {
			assert.Equal(t, tt.want, sectionLess(tt.a, tt.b))
		})
	}
}
