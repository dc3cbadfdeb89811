package gitsource

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Commit is a commit present in a [Cache], returned by [Cache.Ensure]. Its
// methods read objects with the git binary and take no lock. Paths are
// slash-separated and relative to the repository root; they are checked
// with [SafeJoin], so none can leave the repository.
type Commit struct {
	id   string
	src  Source
	repo string // src.Repo as shown in messages
	git  runner
}

// ID returns the full commit id.
func (c *Commit) ID() string { return c.id }

// Source returns the source c was ensured from.
func (c *Commit) Source() Source { return c.src }

// String returns "REPO@COMMIT".
func (c *Commit) String() string { return c.repo + "@" + c.id }

// ReadFile returns the content of the file at name, following a symlink
// there (relative, inside the repository). The file may be at most limit
// bytes: a larger one is a *[TooLargeError], and nothing is read. A
// missing file returns a *[NotFoundError], which matches fs.ErrNotExist.
func (c *Commit) ReadFile(ctx context.Context, name string, limit int64) ([]byte, error) {
	return c.root().ReadFile(ctx, name, limit)
}

// root is the whole repository as a [Dir].
func (c *Commit) root() *Dir { return &Dir{commit: c, path: "."} }

// Exists reports whether name is in the commit, following a symlink there;
// a dangling symlink does not exist. A path that escapes the repository is
// an error.
func (c *Commit) Exists(ctx context.Context, name string) (bool, error) {
	p, err := SafeJoin(".", name)
	if err != nil {
		return false, err
	}
	_, err = c.resolve(ctx, p)
	if nf := (*NotFoundError)(nil); errors.As(err, &nf) {
		return false, nil
	}
	return err == nil, err
}

// Time returns the later of the commit's author and committer times, in the
// time zone recorded with it: bashbrew's ArchGitTime, used as
// SOURCE_DATE_EPOCH.
func (c *Commit) Time(ctx context.Context) (time.Time, error) {
	out, err := c.git.run(ctx, "cat-file", "commit", c.id)
	if err != nil {
		return time.Time{}, fmt.Errorf("reading commit %s in %s: %w", c.id, c.repo, err)
	}
	author, committer, err := parseCommitTimes(out)
	if err != nil {
		return time.Time{}, fmt.Errorf("commit %s in %s: %w", c.id, c.repo, err)
	}
	if committer.After(author) {
		return committer, nil
	}
	return author, nil
}

// parseCommitTimes reads the author and committer times of a raw commit.
func parseCommitTimes(raw []byte) (author, committer time.Time, err error) {
	header, _, _ := bytes.Cut(raw, []byte("\n\n"))
	for line := range strings.SplitSeq(string(header), "\n") {
		key, sig, _ := strings.Cut(line, " ")
		switch key {
		case "author":
			author, err = parseSignatureTime(sig)
		case "committer":
			committer, err = parseSignatureTime(sig)
		}
		if err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("%s line %q: %w", key, line, err)
		}
	}
	if author.IsZero() || committer.IsZero() {
		return time.Time{}, time.Time{}, fmt.Errorf("no author or committer line")
	}
	return author, committer, nil
}

// parseSignatureTime reads "Name <email> 1700000000 +0200".
func parseSignatureTime(sig string) (time.Time, error) {
	fields := strings.Fields(sig[strings.LastIndexByte(sig, '>')+1:])
	if len(fields) != 2 {
		return time.Time{}, fmt.Errorf("want \"<email> SECONDS ZONE\"")
	}
	sec, err := strconv.ParseInt(fields[0], 10, 64)
	if err != nil {
		return time.Time{}, err
	}
	zone := fields[1]
	if len(zone) != 5 || (zone[0] != '+' && zone[0] != '-') {
		return time.Time{}, fmt.Errorf("bad time zone %q", zone)
	}
	hh, err1 := strconv.Atoi(zone[1:3])
	mm, err2 := strconv.Atoi(zone[3:5])
	if err1 != nil || err2 != nil {
		return time.Time{}, fmt.Errorf("bad time zone %q", zone)
	}
	offset := (hh*60 + mm) * 60
	if zone[0] == '-' {
		offset = -offset
	}
	return time.Unix(sec, 0).In(time.FixedZone(zone, offset)), nil
}
