package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"text/template"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/platforms"
)

// funcs returns the functions of cat templates: bashbrew's template library
// and its command-line helpers, with the same names and arguments.
func (o *catOptions) funcs(ctx context.Context, index func() int) template.FuncMap {
	return template.FuncMap{
		"hasPrefix":    func(prefix, s string) bool { return strings.HasPrefix(s, prefix) },
		"hasSuffix":    func(suffix, s string) bool { return strings.HasSuffix(s, suffix) },
		"ternary":      ternary,
		"first":        first,
		"last":         last,
		"json":         toJSON,
		"join":         join,
		"trimPrefixes": stringsModifier("trimPrefixes", strings.TrimPrefix),
		"trimSuffixes": stringsModifier("trimSuffixes", strings.TrimSuffix),
		"replace":      replace,
		"getenv":       o.getenvFunc,
		"sha256sum":    sha256sum,

		"i":             index,
		"arch":          func() string { return o.arch },
		"namespace":     func() string { return o.namespace },
		"archNamespace": func(arch string) string { return o.archNamespaces[arch] },
		"ociPlatform":   ociPlatform,
		"archFilter":    archFilter,
		"defaults":      manifest.DefaultEntry,
		"gitCache":      func() (string, error) { return o.gitCache(ctx) },
	}
}

// flatten spreads slice and array arguments, as bashbrew's helpers do, so
// that `join ", " .Tags` and `join "/" "a" "b"` both work.
func flatten(name string, args []any) ([]any, error) {
	var out []any
	for _, a := range args {
		v := reflect.ValueOf(a)
		if v.Kind() == reflect.Slice || v.Kind() == reflect.Array {
			for i := range v.Len() {
				out = append(out, v.Index(i).Interface())
			}
			continue
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: want at least one argument", name)
	}
	return out, nil
}

func flattenStrings(name string, args []any) ([]string, error) {
	flat, err := flatten(name, args)
	if err != nil {
		return nil, err
	}
	strs := make([]string, len(flat))
	for i, v := range flat {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%s: argument %d is a %T, want a string", name, i+1, v)
		}
		strs[i] = s
	}
	return strs, nil
}

// ternary is `.Value | ternary "if true" "if false"`.
func ternary(truthy, falsy, val any) (any, error) {
	t, ok := template.IsTrue(val)
	if !ok {
		return nil, fmt.Errorf("ternary: cannot tell whether %#v is true", val)
	}
	if t {
		return truthy, nil
	}
	return falsy, nil
}

func first(args ...any) (any, error) {
	flat, err := flatten("first", args)
	if err != nil {
		return nil, err
	}
	return flat[0], nil
}

func last(args ...any) (any, error) {
	flat, err := flatten("last", args)
	if err != nil {
		return nil, err
	}
	return flat[len(flat)-1], nil
}

func toJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// join is `join SEP THINGS...`.
func join(args ...any) (string, error) {
	strs, err := flattenStrings("join", args)
	if err != nil {
		return "", err
	}
	return strings.Join(strs[1:], strs[0]), nil
}

// stringsModifier makes `trimPrefixes A B... STRING`: each of A, B... is
// applied to STRING in turn.
func stringsModifier(name string, fn func(s, mod string) string) func(args ...any) (string, error) {
	return func(args ...any) (string, error) {
		strs, err := flattenStrings(name, args)
		if err != nil {
			return "", err
		}
		s := strs[len(strs)-1]
		for _, mod := range strs[:len(strs)-1] {
			s = fn(s, mod)
		}
		return s, nil
	}
}

// replace is `replace OLD NEW [OLD NEW...] STRING`.
func replace(args ...any) (string, error) {
	strs, err := flattenStrings("replace", args)
	if err != nil {
		return "", err
	}
	pairs := strs[:len(strs)-1]
	if len(pairs)%2 != 0 {
		return "", errors.New("replace: want OLD NEW pairs before the string")
	}
	return strings.NewReplacer(pairs...).Replace(strs[len(strs)-1]), nil
}

// getenvFunc is `getenv NAME`, `getenv NAME IF-UNSET` or
// `getenv NAME IF-SET IF-UNSET` (empty counts as unset).
func (o *catOptions) getenvFunc(args ...any) (any, error) {
	flat, err := flatten("getenv", args)
	if err != nil {
		return nil, err
	}
	name, ok := flat[0].(string)
	if !ok {
		return nil, fmt.Errorf("getenv: the name is a %T, want a string", flat[0])
	}
	val := o.getenv(name)
	var set, unset any = val, ""
	switch len(flat) {
	case 1:
	case 2:
		unset = flat[1]
	case 3:
		set, unset = flat[1], flat[2]
	default:
		return nil, fmt.Errorf("getenv: want 1 to 3 arguments, got %d", len(flat))
	}
	if val != "" {
		return set, nil
	}
	return unset, nil
}

func sha256sum(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// templatePlatform is an OCI platform that prints as "linux/arm64/v8".
type templatePlatform struct {
	ocispec.Platform
}

func (p templatePlatform) String() string { return platforms.Format(p.Platform) }

// ociPlatform is `ociPlatform ARCH`: nil for an unknown architecture.
func ociPlatform(arch string) *templatePlatform {
	p, err := platforms.OCI(arch)
	if err != nil {
		return nil
	}
	return &templatePlatform{p}
}

// archFilter is `archFilter ARCH ENTRIES...`: the entries that build ARCH.
func archFilter(arch string, args ...any) ([]*manifest.Entry, error) {
	flat, err := flatten("archFilter", args)
	if err != nil {
		return nil, err
	}
	var out []*manifest.Entry
	for _, a := range flat {
		var e *manifest.Entry
		switch v := a.(type) {
		case *manifest.Entry:
			e = v
		case manifest.Entry:
			e = &v
		default:
			return nil, fmt.Errorf("archFilter: argument is a %T, want entries", a)
		}
		if e.HasArchitecture(arch) {
			out = append(out, e)
		}
	}
	return out, nil
}
