package check

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/brewkit/brewkit/manifest"
)

// Sources is what the FROM and Constraints rules know beyond the library
// files being checked.
type Sources interface {
	// Froms returns the images entry's Dockerfile reads for arch (FROM,
	// COPY --from, RUN --mount=from=), as "name:tag", "host/name:tag" or
	// "scratch", sorted and unique; bashbrew's .ArchDockerFroms. An error
	// wrapping [ErrUnreachable] means the source could not be fetched.
	Froms(ctx context.Context, r *manifest.Repo, e *manifest.Entry, arch string) ([]string, error)
	// Library returns the library repo named "name:tag", with its TagEntry.
	Library(ctx context.Context, ref string) (*manifest.Repo, error)
	// ExternalPin returns the digest pinned for an external image
	// ("host/name:tag") in official-images' .external-pins, and false when
	// it has no pin.
	ExternalPin(ref string) (digest string, ok bool, err error)
	// RemoteArches returns the architectures (bashbrew's names) of the
	// images of ref, "host/name:tag@sha256:…", in its registry. An error
	// wrapping [ErrUnreachable] means the registry could not tell; any
	// other, that ref is wrong (no such image, no digest).
	RemoteArches(ctx context.Context, ref string) ([]string, error)
}

// riscv64Ubuntu lists the tags of Ubuntu before 25.10 (which requires
// RVA23, which no riscv64 builder has): naughty-from.sh's list.
func riscv64UbuntuOK(firstTag string) bool {
	switch firstTag {
	case "22.04", "24.04", "25.04":
		return true
	}
	for _, p := range []string{"jammy", "noble", "plucky"} {
		if strings.HasPrefix(firstTag, p) {
			return true
		}
	}
	return false
}

// verdict is what one FROM is for one architecture.
type verdict struct {
	naughty bool
	why     string // for a naughty FROM: what is wrong and what would be right
	skip    string // the check could not be made: why
}

// judgeFrom is naughty-from.sh's _is_naughty.
func judgeFrom(ctx context.Context, src Sources, from, arch string) verdict {
	if arch == "riscv64" && strings.HasPrefix(from, "ubuntu:") {
		if u, err := src.Library(ctx, from); err == nil && u.TagEntry != nil && !riscv64UbuntuOK(u.TagEntry.Tags[0]) {
			return verdict{naughty: true, why: fmt.Sprintf("FROM %s is Ubuntu 25.10 or later (ubuntu:%s), which needs RVA23 riscv64 hardware that DOI does not have: drop riscv64 from Architectures, or build on ubuntu:25.04 or older",
				from, u.TagEntry.Tags[0])}
		}
	}
	switch {
	case from == "scratch":
		if strings.HasPrefix(arch, "windows-") {
			return verdict{naughty: true, why: "FROM scratch cannot be used on Windows: build FROM mcr.microsoft.com/windows/servercore or nanoserver"}
		}
		return verdict{}
	case strings.Contains(from, "/"):
		digest, ok, err := src.ExternalPin(from)
		if err != nil {
			return verdict{naughty: true, why: fmt.Sprintf("FROM %s: reading its pin: %v", from, err)}
		}
		if !ok {
			return verdict{naughty: true, why: fmt.Sprintf("FROM %s is an external image with no pin: an image from outside the library must be pinned in official-images' .external-pins/%s (its digest), or the FROM must be an official image",
				from, strings.Replace(from, ":", "___", 1))}
		}
		pinned := from + "@" + digest
		arches, err := src.RemoteArches(ctx, pinned)
		switch {
		case errors.Is(err, ErrUnreachable):
			return verdict{skip: fmt.Sprintf("FROM %s: cannot learn the architectures of the pinned %s: %v", from, pinned, err)}
		case err != nil:
			return verdict{naughty: true, why: fmt.Sprintf("FROM %s is pinned (.external-pins) at %s, which cannot be looked up (%v): pin a digest that %s's registry has",
				from, digest, err, from)}
		}
		if slices.Contains(arches, arch) {
			return verdict{}
		}
		return verdict{naughty: true, why: fmt.Sprintf("FROM %s is pinned (.external-pins) at %s, which has no %s image (it has %s): drop %s from Architectures",
			from, digest, arch, listOrNone(arches), arch)}
	}
	base, err := src.Library(ctx, from)
	if err != nil {
		return verdict{naughty: true, why: fmt.Sprintf("FROM %s is neither a tag of an official image nor an external image (%v): use an official image's tag, or pin an external image in .external-pins", from, err)}
	}
	if base.TagEntry.HasArchitecture(arch) {
		return verdict{}
	}
	return verdict{naughty: true, why: fmt.Sprintf("FROM %s is not built for %s (%s builds it for %s): drop %s from Architectures, or build FROM an image that has it",
		from, arch, base.File, listOrNone(base.TagEntry.Architectures), arch)}
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}

// fromsOf returns entry's FROMs for arch, or the finding or skip that
// stands for them when they cannot be read.
func fromsOf(ctx context.Context, src Sources, rule Rule, r *manifest.Repo, e *manifest.Entry, arch string) ([]string, *Finding, *Skip) {
	froms, err := src.Froms(ctx, r, e, arch)
	img := r.RepoName + ":" + e.Tags[0]
	switch {
	case errors.Is(err, ErrUnreachable):
		return nil, nil, &Skip{Rule: rule, File: r.File, Line: e.FieldLine("GitRepo"), Tag: img, Arch: arch, Reason: err.Error()}
	case err != nil && rule == RuleFrom:
		return nil, &Finding{Rule: rule, File: r.File, Line: e.FieldLine("GitCommit"), Tag: img, Arch: arch,
			Message: fmt.Sprintf("cannot read the FROMs of the Dockerfile: %v", err)}, nil
	case err != nil:
		return nil, nil, &Skip{Rule: rule, File: r.File, Line: e.FieldLine("GitCommit"), Tag: img, Arch: arch,
			Reason: fmt.Sprintf("cannot read the FROMs of the Dockerfile (see the from rule): %v", err)}
	}
	return froms, nil, nil
}

// Froms is naughty-from.sh: every FROM of every entry, for every one of
// its architectures, must be scratch (not on Windows), an official image
// built for that architecture, or an external image pinned in
// .external-pins whose pinned index has that architecture. Each entry,
// architecture and bad FROM is one finding, at the entry's Architectures
// line; when none of an entry's architectures has a good base, its
// messages say it is completely unsupported, as the script does.
func Froms(ctx context.Context, repos []*manifest.Repo, src Sources) ([]Finding, []Skip) {
	var out []Finding
	var skips []Skip
	for _, r := range repos {
		for _, e := range r.Entries() {
			img := r.RepoName + ":" + e.Tags[0]
			var mine []Finding
			nice := false
			for _, arch := range e.Architectures {
				froms, f, s := fromsOf(ctx, src, RuleFrom, r, e, arch)
				if f != nil {
					mine = append(mine, *f)
				}
				if s != nil {
					skips = append(skips, *s)
					nice = true // unknown: do not call the base completely unsupported
				}
				for _, from := range froms {
					v := judgeFrom(ctx, src, from, arch)
					switch {
					case v.skip != "":
						skips = append(skips, Skip{Rule: RuleFrom, File: r.File, Line: e.FieldLine("Architectures"), Tag: img, Arch: arch, Reason: v.skip})
						nice = true
					case v.naughty:
						mine = append(mine, Finding{Rule: RuleFrom, File: r.File, Line: e.FieldLine("Architectures"), Tag: img, Arch: arch, Message: v.why})
					default:
						nice = true
					}
				}
			}
			if !nice {
				for i := range mine {
					mine[i].Message += " (no architecture of this entry has a supported base: completely unsupported)"
				}
			}
			out = append(out, mine...)
		}
	}
	return out, skips
}

// windowsConstraint is naughty-constraints.sh's _windows_constraint: the
// constraint a FROM of Microsoft's Windows images needs.
func windowsConstraint(from string) (string, bool) {
	i := strings.LastIndex(from, ":")
	repo, tag := from, from
	if i >= 0 {
		repo, tag = from[:i], from[i+1:]
	}
	var c string
	switch repo {
	case "mcr.microsoft.com/windows/nanoserver", "microsoft/nanoserver":
		c = "nanoserver"
	case "mcr.microsoft.com/windows/servercore", "microsoft/windowsservercore":
		c = "windowsservercore"
	default:
		return "", false
	}
	if tag != "latest" {
		c += "-" + tag
	}
	return c, true
}

// Constraints is naughty-constraints.sh: an entry's Constraints must be
// exactly what its FROMs need, on every architecture: the Constraints of
// each FROM that is an official image with some, and for a FROM of
// Microsoft's images (one whose name contains "microsoft") nanoserver-TAG
// or windowsservercore-TAG. Each missing and each extra constraint of an
// entry and architecture is one finding, at the Constraints line.
func Constraints(ctx context.Context, repos []*manifest.Repo, src Sources) ([]Finding, []Skip) {
	var out []Finding
	var skips []Skip
	for _, r := range repos {
		for _, e := range r.Entries() {
			img := r.RepoName + ":" + e.Tags[0]
			have := slices.Compact(slices.Sorted(slices.Values(e.Constraints)))
			line := e.FieldLine("Constraints")
			for _, arch := range e.Architectures {
				froms, _, s := fromsOf(ctx, src, RuleConstraints, r, e, arch)
				if s != nil {
					skips = append(skips, *s)
					continue
				}
				needs := map[string][]string{} // constraint: the FROMs that need it
				for _, from := range froms {
					want, err := expectedConstraints(ctx, src, from)
					if err != nil {
						out = append(out, Finding{Rule: RuleConstraints, File: r.File, Line: line, Tag: img, Arch: arch, Message: err.Error()})
					}
					for _, c := range want {
						needs[c] = append(needs[c], from)
					}
				}
				for _, c := range slices.Sorted(maps.Keys(needs)) {
					if !slices.Contains(have, c) {
						out = append(out, Finding{Rule: RuleConstraints, File: r.File, Line: line, Tag: img, Arch: arch,
							Message: fmt.Sprintf("missing constraint %q, which FROM %s needs: add it to Constraints", c, strings.Join(needs[c], ", "))})
					}
				}
				for _, c := range have {
					if _, ok := needs[c]; !ok {
						out = append(out, Finding{Rule: RuleConstraints, File: r.File, Line: line, Tag: img, Arch: arch,
							Message: fmt.Sprintf("extra constraint %q, which no FROM needs (FROM %s): remove it from Constraints", c, listOrNone(froms))})
					}
				}
			}
		}
	}
	return out, skips
}

// expectedConstraints is naughty-constraints.sh's _expected_constraints.
func expectedConstraints(ctx context.Context, src Sources, from string) ([]string, error) {
	if !strings.Contains(from, "/") && from != "scratch" {
		if base, err := src.Library(ctx, from); err == nil && len(base.TagEntry.Constraints) > 0 {
			return base.TagEntry.Constraints, nil
		}
	}
	if !strings.Contains(from, "microsoft") {
		return nil, nil
	}
	c, ok := windowsConstraint(from)
	if !ok {
		return nil, fmt.Errorf("FROM %s: unknown Windows image; want mcr.microsoft.com/windows/servercore:TAG or mcr.microsoft.com/windows/nanoserver:TAG", from)
	}
	return []string{c}, nil
}
