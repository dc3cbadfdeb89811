package dockerfile

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// argEnv is the set of ARG values visible to FROM. It implements
// shell.EnvGetter.
type argEnv struct {
	keys []string
	vals map[string]string
}

func (e *argEnv) Get(key string) (string, bool) {
	v, ok := e.vals[key]
	return v, ok
}

func (e *argEnv) Keys() []string {
	return e.keys
}

func (e *argEnv) set(key, value string) {
	if _, ok := e.vals[key]; !ok {
		e.keys = append(e.keys, key)
	}
	e.vals[key] = value
}

// Automatic platform ARGs, which BuildKit defines before any ARG of the
// Dockerfile (dockerfile2llb/platform.go, defaultArgs).
var (
	buildPlatformArgs  = []string{"BUILDPLATFORM", "BUILDOS", "BUILDOSVERSION", "BUILDARCH", "BUILDVARIANT"}
	targetPlatformArgs = []string{"TARGETPLATFORM", "TARGETOS", "TARGETOSVERSION", "TARGETARCH", "TARGETVARIANT"}
)

// platformArgValues gives the five values of buildPlatformArgs or
// targetPlatformArgs; BuildKit formats $BUILDPLATFORM without and
// $TARGETPLATFORM with the OS version.
func platformArgValues(p ocispec.Platform, withOSVersion bool) []string {
	s := platforms.Format(p)
	if withOSVersion {
		s = platforms.FormatAll(p)
	}
	return []string{s, p.OS, p.OSVersion, p.Architecture, p.Variant}
}

func isZero(p ocispec.Platform) bool {
	return p.OS == "" && p.Architecture == ""
}

// globalArgs builds the ARG values that FROM sees, as BuildKit does
// (defaultArgs then buildMetaArgs in dockerfile2llb): the automatic
// platform ARGs and TARGETSTAGE, each overridable by a build arg, then the
// ARGs before the first FROM in order, each taking its build arg or else its
// default expanded with the ARGs before it. An ARG with neither keeps an
// automatic value if it has one, and is otherwise left without a value.
// Build args that no ARG declares are not visible.
func globalArgs(lex *shell.Lex, metaArgs []instructions.ArgCommand, opts Options, target string) (*argEnv, error) {
	env := &argEnv{vals: map[string]string{}}
	setDefault := func(key, value string, known bool) {
		if v, ok := opts.BuildArgs[key]; ok {
			env.set(key, v)
		} else if known {
			env.set(key, value)
		}
	}
	build, tgt := opts.BuildPlatform, opts.TargetPlatform
	if isZero(tgt) {
		tgt = build // BuildKit's rule when no target platform is given
	}
	for i, v := range platformArgValues(build, false) {
		setDefault(buildPlatformArgs[i], v, !isZero(build))
	}
	for i, v := range platformArgValues(tgt, true) {
		setDefault(targetPlatformArgs[i], v, !isZero(tgt))
	}
	if target == "" {
		target = "default"
	}
	setDefault("TARGETSTAGE", target, true)

	for _, cmd := range metaArgs {
		for _, kv := range cmd.Args {
			if v, ok := opts.BuildArgs[kv.Key]; ok {
				env.set(kv.Key, v)
				continue
			}
			if kv.Value == nil {
				continue
			}
			if !lexable(*kv.Value) {
				// No FROM can use it: it would be an invalid reference.
				env.set(kv.Key, *kv.Value)
				continue
			}
			res, err := lex.ProcessWordWithMatches(*kv.Value, env)
			if err != nil {
				return nil, &Error{Line: firstLine(cmd.Location()), Err: fmt.Errorf("ARG %s: %w", kv.Key, err)}
			}
			env.set(kv.Key, res.Result)
		}
	}
	return env, nil
}

var errNotLexable = errors.New("invalid UTF-8 or NUL character")

// lexable reports whether word is safe to give BuildKit's shell lexer,
// whose text/scanner writes to os.Stderr when it meets invalid UTF-8 or a
// NUL. Such a word can never expand to a valid image reference or
// platform, so refusing it early changes no result.
func lexable(word string) bool {
	return utf8.ValidString(word) && !strings.ContainsRune(word, 0)
}

// expander substitutes ARGs in FROM the way BuildKit does.
type expander struct {
	lex *shell.Lex
	env *argEnv
}

// expand substitutes the global ARGs in word. It also returns, sorted, the
// variables that word uses bare ($X or ${X}) but that have no value, which
// BuildKit would silently replace with "". The modifier forms such as
// ${X:-default} deal with an unset X themselves and are not reported.
func (x *expander) expand(word string) (string, []string, error) {
	if !lexable(word) {
		return "", nil, errNotLexable
	}
	res, err := x.lex.ProcessWordWithMatches(word, x.env)
	if err != nil || len(res.Unmatched) == 0 {
		return res.Result, nil, err
	}
	// With SkipUnsetEnv the lexer writes unset variables back as it found
	// them, so a bare reference shows up as "$X" or "${X}".
	x.lex.SkipUnsetEnv = true
	kept, err := x.lex.ProcessWordWithMatches(word, x.env)
	x.lex.SkipUnsetEnv = false
	if err != nil {
		return "", nil, err
	}
	var missing []string
	for name := range res.Unmatched {
		if hasBareRef(kept.Result, name) {
			missing = append(missing, name)
		}
	}
	slices.Sort(missing)
	return res.Result, missing, nil
}

// hasBareRef reports whether s contains "${name}", or "$name" not followed
// by a character that would continue the name.
func hasBareRef(s, name string) bool {
	if strings.Contains(s, "${"+name+"}") {
		return true
	}
	for rest := s; ; {
		i := strings.Index(rest, "$"+name)
		if i < 0 {
			return false
		}
		rest = rest[i+1+len(name):]
		if r, _ := utf8.DecodeRuneInString(rest); rest == "" || !isNameRune(r) {
			return true
		}
	}
}

func isNameRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'
}

// missingArgError explains why a variable in a FROM has no value.
func missingArgError(line int, source, name string) error {
	switch {
	case slices.Contains(buildPlatformArgs, name):
		return errorf(line, "%s: %s has no value; set Options.BuildPlatform", source, name)
	case slices.Contains(targetPlatformArgs, name):
		return errorf(line, "%s: %s has no value; set Options.TargetPlatform or Options.BuildPlatform", source, name)
	}
	return errorf(line, "%s: ARG %s has no value; declare it with a default or pass it as a build arg", source, name)
}
