package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
)

// tokenPrefix starts every token NewToken makes, so that one is easy to
// recognize (and to find in a file where it should not be).
const tokenPrefix = "bk_"

// maxName is the longest token name.
const maxName = 64

// NewToken makes a token for the client name: "bk_" and 32 random bytes
// in base64url. line is its token file line, "NAME sha256:HEX"; the token
// itself is stored nowhere.
func NewToken(name string) (token, line string, err error) {
	if err := CheckName(name); err != nil {
		return "", "", err
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", fmt.Errorf("making a token: %w", err)
	}
	token = tokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return token, name + " " + HashLine(token), nil
}

// HashLine is the hash of token as a token file has it: "sha256:HEX".
func HashLine(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hashPrefix + hex.EncodeToString(sum[:])
}

// CheckName refuses a token name other than 1 to 64 letters, digits and
// ". _ - @".
func CheckName(name string) error {
	if name == "" {
		return errors.New("a token needs a name")
	}
	if len(name) > maxName {
		return fmt.Errorf("name %.20q...: %d characters; want at most %d", name, len(name), maxName)
	}
	for _, c := range name {
		if !nameChar(c) {
			return fmt.Errorf("name %q: %q is not allowed; want letters, digits and . _ - @", name, c)
		}
	}
	return nil
}

func nameChar(c rune) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-' || c == '@'
}
