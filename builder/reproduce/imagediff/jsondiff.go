package imagediff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"unicode/utf8"
)

// absent stands for a field one side does not have.
type absentT struct{}

var absent = absentT{}

// maxValue bounds a value in a [FieldDiff].
const maxValue = 200

// decodeJSON parses a manifest or config, keeping numbers as written.
func decodeJSON(what string, raw []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", what, err)
	}
	return v, nil
}

// walkJSON calls emit with the path and both values of every leaf where a
// and b differ: objects are walked by key ("a.b"), arrays by index
// ("a[2]"); a leaf is a scalar, or a value whose kind differs on the
// other side.
func walkJSON(path string, a, b any, emit func(path string, a, b any)) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := slices.Sorted(maps.Keys(am))
		for k := range bm {
			if _, ok := am[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			walkJSON(join(path, k), get(am, k), get(bm, k), emit)
		}
		return
	}
	aa, aok := a.([]any)
	ba, bok := b.([]any)
	if aok && bok {
		for i := range max(len(aa), len(ba)) {
			walkJSON(fmt.Sprintf("%s[%d]", path, i), at(aa, i), at(ba, i), emit)
		}
		return
	}
	if !reflect.DeepEqual(a, b) {
		emit(path, a, b)
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func get(m map[string]any, k string) any {
	if v, ok := m[k]; ok {
		return v
	}
	return absent
}

func at(a []any, i int) any {
	if i < len(a) {
		return a[i]
	}
	return absent
}

// short is v as a [FieldDiff] shows it.
func short(v any) string {
	var s string
	switch v := v.(type) {
	case absentT:
		return "(absent)"
	case string:
		s = v
	default:
		b, err := json.Marshal(v)
		if err != nil {
			b = fmt.Appendf(nil, "%v", v)
		}
		s = string(b)
	}
	if len(s) <= maxValue {
		return s
	}
	cut := maxValue
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
