package cli

import (
	"fmt"
	"strings"
	"unicode"
)

// The aws CLI's shorthand syntax (awscli/shorthand.py's ShorthandParser),
// ported rule for rule so that `barge submit` reads a value as `aws batch
// submit-job` does:
//
//	parameter = keyval *("," keyval)
//	keyval    = key "=" values
//	values    = csv-list / explicit-list / hash-literal
//
// A csv-list is one value (a=b) or several (a=b,c); an explicit list is
// [v,...]; a hash literal is {k=v,...}. Values may be 'single' or "double"
// quoted, which the quotes are stripped from (\' and \" escape a quote, \\
// a backslash); unquoted, "\," is a comma and trailing white space is
// dropped. Which characters may start and continue a value is the CLI's.
// Like the CLI, parseShorthand does not turn scalars into lists or numbers:
// that needs the model, and the caller does it (BackCompatVisitor's part).
// The CLI's key@=file:// form is not supported.

// shorthandError is a syntax error, worded as the CLI words it.
type shorthandError struct {
	value            []rune
	expected, actual string
	index            int
}

func (e *shorthandError) Error() string {
	return fmt.Sprintf("Expected: '%s', received: '%s' for input:\n%s\n%s^", e.expected, e.actual, string(e.value), strings.Repeat(" ", e.index))
}

type shorthandParser struct {
	in []rune
	i  int
}

// parseShorthand parses s as the aws CLI's shorthand into a map whose
// values are strings, []any and map[string]any.
func parseShorthand(s string) (map[string]any, error) {
	p := &shorthandParser{in: []rune(s)}
	return p.parameter()
}

func (p *shorthandParser) eof() bool { return p.i >= len(p.in) }

// current returns the rune at the index, or -1 at the end.
func (p *shorthandParser) current() rune {
	if p.eof() {
		return -1
	}
	return p.in[p.i]
}

func (p *shorthandParser) parameter() (map[string]any, error) {
	params := map[string]any{}
	key, val, err := p.keyval()
	if err != nil {
		return nil, err
	}
	params[key] = val
	last := p.i
	for !p.eof() {
		if err := p.expect(',', true); err != nil {
			return nil, err
		}
		key, val, err := p.keyval()
		if err != nil {
			return nil, err
		}
		if _, dup := params[key]; dup {
			return nil, fmt.Errorf("Second instance of key %q encountered for input:\n%s\n%s^\nThis is often because there is a preceding \",\" instead of a space.",
				key, string(p.in), strings.Repeat(" ", last+1))
		}
		params[key] = val
		last = p.i
	}
	return params, nil
}

func (p *shorthandParser) keyval() (string, any, error) {
	key := p.key()
	if err := p.expect('=', true); err != nil {
		return "", nil, err
	}
	v, err := p.values()
	return key, v, err
}

func (p *shorthandParser) key() string {
	start := p.i
	for !p.eof() {
		c := p.current()
		if !(c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c) || strings.ContainsRune("-_.#/:", c))) {
			break
		}
		p.i++
	}
	return string(p.in[start:p.i])
}

func (p *shorthandParser) values() (any, error) {
	switch {
	case p.eof():
		return "", nil
	case p.current() == '[':
		return p.explicitList()
	case p.current() == '{':
		return p.hashLiteral()
	}
	return p.csvValue()
}

func (p *shorthandParser) csvValue() (any, error) {
	first, err := p.firstValue()
	if err != nil {
		return nil, err
	}
	p.whitespace()
	if p.eof() || p.current() != ',' {
		return first, nil
	}
	if err := p.expect(',', true); err != nil {
		return nil, err
	}
	list := []any{first}
	for {
		v, err := p.secondValue()
		if err == nil {
			p.whitespace()
			if p.eof() {
				list = append(list, v)
				break
			}
			err = p.expect(',', true)
			if err == nil {
				list = append(list, v)
				continue
			}
		}
		// a=b,c=d: "c" was a key, not a value; back up to the comma
		// before it.
		if p.eof() {
			return nil, err
		}
		for p.i >= 0 && p.in[p.i] != ',' {
			p.i--
		}
		break
	}
	if len(list) == 1 {
		return first, nil
	}
	return list, nil
}

func (p *shorthandParser) explicitList() (any, error) {
	if err := p.expect('[', true); err != nil {
		return nil, err
	}
	list := []any{}
	for p.current() != ']' {
		v, err := p.explicitValue()
		if err != nil {
			return nil, err
		}
		list = append(list, v)
		p.whitespace()
		if p.current() != ']' {
			if err := p.expect(',', false); err != nil {
				return nil, err
			}
			p.whitespace()
		}
	}
	return list, p.expect(']', false)
}

func (p *shorthandParser) explicitValue() (any, error) {
	switch p.current() {
	case '[':
		return p.explicitList()
	case '{':
		return p.hashLiteral()
	}
	return p.firstValue()
}

func (p *shorthandParser) hashLiteral() (any, error) {
	if err := p.expect('{', true); err != nil {
		return nil, err
	}
	m := map[string]any{}
	for p.current() != '}' {
		key := p.key()
		if err := p.expect('=', true); err != nil {
			return nil, err
		}
		v, err := p.explicitValue()
		if err != nil {
			return nil, err
		}
		p.whitespace()
		if p.current() != '}' {
			if err := p.expect(',', false); err != nil {
				return nil, err
			}
			p.whitespace()
		}
		m[key] = v
	}
	return m, p.expect('}', false)
}

func (p *shorthandParser) firstValue() (any, error) {
	switch p.current() {
	case '\'':
		return p.quoted('\'')
	case '"':
		return p.quoted('"')
	}
	return p.word(isFirstFollow), nil
}

func (p *shorthandParser) secondValue() (any, error) {
	switch p.current() {
	case '\'':
		return p.quoted('\'')
	case '"':
		return p.quoted('"')
	}
	if p.eof() || !isStart(p.current()) && !p.escapedComma() {
		return nil, &shorthandError{value: p.in, expected: "second", actual: p.actual(), index: p.i}
	}
	return p.word(isSecondFollow), nil
}

// word reads an unquoted value: a start character, then characters follow
// allows, either possibly an escaped comma. It reads nothing if no value
// starts at the index.
func (p *shorthandParser) word(follow func(rune) bool) string {
	start := p.i
	for n := 0; !p.eof(); n++ {
		if p.escapedComma() {
			p.i += 2
			continue
		}
		c := p.current()
		if n == 0 && !isStart(c) || n > 0 && !follow(c) {
			break
		}
		p.i++
	}
	return strings.TrimRightFunc(strings.ReplaceAll(string(p.in[start:p.i]), `\,`, ","), unicode.IsSpace)
}

func (p *shorthandParser) escapedComma() bool {
	return p.i+1 < len(p.in) && p.in[p.i] == '\\' && p.in[p.i+1] == ','
}

// quoted reads a value in quote q, without the quotes.
func (p *shorthandParser) quoted(q rune) (string, error) {
	// The CLI's pattern, "(?:\\"|[^"])*", ends at the first quote not
	// escaped; with none, the regexp engine backtracks, and the last
	// escaped quote closes the value instead.
	start, lastEscaped := p.i, -1
	j := p.i + 1
	for ; j < len(p.in); j++ {
		if p.in[j] == '\\' && j+1 < len(p.in) && p.in[j+1] == q {
			j++
			lastEscaped = j
			continue
		}
		if p.in[j] == q {
			break
		}
	}
	if j >= len(p.in) && lastEscaped >= 0 {
		j = lastEscaped
	}
	if j >= len(p.in) {
		name := "singled quoted"
		if q == '"' {
			name = "double quoted"
		}
		return "", &shorthandError{value: p.in, expected: name, actual: p.actual(), index: start}
	}
	p.i = j + 1
	v := string(p.in[start+1 : j])
	v = strings.ReplaceAll(v, `\`+string(q), string(q))
	return strings.ReplaceAll(v, `\\`, `\`), nil
}

func (p *shorthandParser) actual() string {
	if p.eof() {
		return "EOF"
	}
	return string(p.current())
}

func (p *shorthandParser) expect(c rune, spaces bool) error {
	if spaces {
		p.whitespace()
	}
	if p.eof() || p.current() != c {
		return &shorthandError{value: p.in, expected: string(c), actual: p.actual(), index: p.i}
	}
	p.i++
	if spaces {
		p.whitespace()
	}
	return nil
}

func (p *shorthandParser) whitespace() {
	for !p.eof() && strings.ContainsRune(" \t\n\r\x0b\x0c", p.current()) {
		p.i++
	}
}

// The CLI's character classes (_START_WORD, _FIRST_FOLLOW_CHARS and
// _SECOND_FOLLOW_CHARS). A value starts with neither white space nor any of
// "',=[{; after its start, a first value (a scalar alone, or in [] or {})
// takes anything but "',]} and a second value (a csv-list's later items)
// anything but "',=.
func isStart(c rune) bool {
	return c > ' ' && !strings.ContainsRune(`"',=[{`, c)
}

func isFirstFollow(c rune) bool {
	return (c >= ' ' || isSpace(c)) && !strings.ContainsRune(`"',]}`, c)
}

func isSecondFollow(c rune) bool {
	return (c >= ' ' || isSpace(c)) && !strings.ContainsRune(`"',=`, c)
}

func isSpace(c rune) bool { return strings.ContainsRune(" \t\n\r\x0b\x0c", c) }
