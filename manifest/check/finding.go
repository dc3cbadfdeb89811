package check

import (
	"errors"
	"fmt"
	"slices"
)

// Rule names one check.
type Rule string

// The rules, named as brewkit check --rule takes them.
const (
	RuleLatestTag   Rule = "latest-tag"
	RuleSharedTags  Rule = "shared-tags"
	RuleFrom        Rule = "from"
	RuleConstraints Rule = "constraints"
	RuleCommits     Rule = "commits"
)

// Rules is every rule, in the order naughty.sh runs them.
var Rules = []Rule{RuleLatestTag, RuleSharedTags, RuleFrom, RuleConstraints, RuleCommits}

// ParseRule returns the rule named s.
func ParseRule(s string) (Rule, error) {
	if r := Rule(s); slices.Contains(Rules, r) {
		return r, nil
	}
	return "", fmt.Errorf("unknown rule %q; want one of %v", s, Rules)
}

// Finding is one problem a rule found.
type Finding struct {
	Rule Rule   `json:"rule"`
	File string `json:"file"`           // the library file, as it was loaded
	Line int    `json:"line,omitempty"` // the line of the field at fault (or of the entry)
	// Tag is "repo:tag": the tag at fault, or the first tag of the entry.
	Tag     string `json:"tag"`
	Arch    string `json:"arch,omitempty"`
	Message string `json:"message"` // what is wrong and what would be right
}

// String is "file:line: tag [arch]: message (rule)".
func (f Finding) String() string {
	return fmt.Sprintf("%s: %s (%s)", where(f.File, f.Line, f.Tag, f.Arch), f.Message, f.Rule)
}

// where is "file:line: tag [arch]".
func where(file string, line int, tag, arch string) string {
	s := file
	if line > 0 {
		s = fmt.Sprintf("%s:%d", file, line)
	}
	s += ": " + tag
	if arch != "" {
		s += " [" + arch + "]"
	}
	return s
}

// Skip is a check a rule could not make, with the reason: it has not passed.
type Skip struct {
	Rule   Rule   `json:"rule"`
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Tag    string `json:"tag"`
	Arch   string `json:"arch,omitempty"`
	Reason string `json:"reason"`
}

// String is "file:line: tag [arch]: rule skipped: reason".
func (s Skip) String() string {
	return fmt.Sprintf("%s: %s skipped: %s", where(s.File, s.Line, s.Tag, s.Arch), s.Rule, s.Reason)
}

// Report is what a run of the rules found.
type Report struct {
	Findings []Finding `json:"findings"`
	Skipped  []Skip    `json:"skipped"`
}

// Failed returns the rules with at least one finding, in [Rules] order;
// naughty.sh exits with their number.
func (r *Report) Failed() []Rule {
	var failed []Rule
	for _, rule := range Rules {
		if slices.ContainsFunc(r.Findings, func(f Finding) bool { return f.Rule == rule }) {
			failed = append(failed, rule)
		}
	}
	return failed
}

// SkippedRules returns the rules with at least one skip, in [Rules] order.
func (r *Report) SkippedRules() []Rule {
	var skipped []Rule
	for _, rule := range Rules {
		if slices.ContainsFunc(r.Skipped, func(s Skip) bool { return s.Rule == rule }) {
			skipped = append(skipped, rule)
		}
	}
	return skipped
}

// ErrUnreachable is wrapped by the error of a [Sources] method that needed
// the network and could not reach it (a GitRepo or a registry that does not
// answer): the rule reports a [Skip], not a finding.
var ErrUnreachable = errors.New("unreachable")
