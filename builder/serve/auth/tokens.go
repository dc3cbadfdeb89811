package auth

import (
	"bufio"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// hashPrefix starts the hash of a token in a token file.
const hashPrefix = "sha256:"

// Tokens are the clients of a token file: names and the sha256 of their
// tokens. A nil *Tokens has none.
type Tokens struct {
	entries []entry
}

type entry struct {
	name string
	hash [sha256.Size]byte
	line int
}

// LoadTokens reads the token file at path (see [ParseTokens]).
func LoadTokens(path string) (*Tokens, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("token file: %w", err)
	}
	defer f.Close()
	return ParseTokens(f, path)
}

// ParseTokens reads a token file from r; file names it in errors. Each
// line is "NAME sha256:HEX", HEX the 64 lowercase hex digits of the
// sha256 of the token; "#" starts a comment, blank lines are skipped.
// Names and hashes are unique, and a file names at least one token. An
// error names file:line and what the line should be.
func ParseTokens(r io.Reader, file string) (*Tokens, error) {
	t := &Tokens{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		e, ok, err := parseLine(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", file, n, err)
		}
		if !ok {
			continue
		}
		e.line = n
		if err := t.add(e); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", file, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(t.entries) == 0 {
		return nil, fmt.Errorf("%s: no tokens; add a line \"NAME sha256:HEX\" (brewkit serve token NAME prints one)", file)
	}
	return t, nil
}

// parseLine parses a line of a token file; ok is false for a blank line
// or a comment.
func parseLine(line string) (e entry, ok bool, err error) {
	line, _, _ = strings.Cut(line, "#")
	fields := strings.Fields(line)
	switch len(fields) {
	case 0:
		return entry{}, false, nil
	case 2:
	default:
		return entry{}, false, fmt.Errorf("want two fields, \"NAME sha256:HEX\"; the line has %d", len(fields))
	}
	if err := CheckName(fields[0]); err != nil {
		return entry{}, false, err
	}
	hash, err := parseHash(fields[1])
	if err != nil {
		return entry{}, false, fmt.Errorf("%s: %w", fields[0], err)
	}
	return entry{name: fields[0], hash: hash}, true, nil
}

// parseHash parses "sha256:HEX". It never puts the text in its errors: a
// careless file might hold the token itself.
func parseHash(s string) ([sha256.Size]byte, error) {
	var h [sha256.Size]byte
	hexDigits, ok := strings.CutPrefix(s, hashPrefix)
	switch {
	case !ok && strings.HasPrefix(s, tokenPrefix):
		return h, errors.New("this is a token, not its hash: the file must hold only \"sha256:HEX\", the sha256 of the token (brewkit serve token NAME prints the line); this token is exposed, make another")
	case !ok:
		return h, errors.New("the hash does not start with \"sha256:\"; want sha256:HEX, the 64 lowercase hex digits of the token's sha256")
	case len(hexDigits) != 2*sha256.Size:
		return h, fmt.Errorf("the hash has %d hex digits; want %d", len(hexDigits), 2*sha256.Size)
	case strings.ToLower(hexDigits) != hexDigits:
		return h, errors.New("the hash has uppercase digits; want lowercase hex")
	}
	if _, err := hex.Decode(h[:], []byte(hexDigits)); err != nil {
		return h, errors.New("the hash is not hex; want 64 lowercase hex digits (0-9, a-f)")
	}
	return h, nil
}

// add adds e, refusing a name or a hash already there.
func (t *Tokens) add(e entry) error {
	for _, o := range t.entries {
		switch {
		case o.name == e.name:
			return fmt.Errorf("%s: a second token of this name (the first is at line %d); names are unique", e.name, o.line)
		case o.hash == e.hash:
			return fmt.Errorf("%s: the same token as %s at line %d; give each client a token of its own", e.name, o.name, o.line)
		}
	}
	t.entries = append(t.entries, e)
	return nil
}

// Len is the number of tokens.
func (t *Tokens) Len() int {
	if t == nil {
		return 0
	}
	return len(t.entries)
}

// Names are the tokens' names, in the file's order.
func (t *Tokens) Names() []string {
	if t == nil {
		return nil
	}
	names := make([]string, len(t.entries))
	for i, e := range t.entries {
		names[i] = e.name
	}
	return names
}

// Check returns the name of token, if the file holds its hash. It takes
// the same time whichever entry matches, or none: it compares the hash
// with every entry in constant time and remembers the match without a
// branch.
func (t *Tokens) Check(token string) (name string, ok bool) {
	if t.Len() == 0 {
		return "", false
	}
	sum := sha256.Sum256([]byte(token))
	found, index := 0, 0
	for i := range t.entries {
		eq := subtle.ConstantTimeCompare(sum[:], t.entries[i].hash[:])
		index = subtle.ConstantTimeSelect(eq, i, index)
		found |= eq
	}
	if found == 0 {
		return "", false
	}
	return t.entries[index].name, true
}
