package imagediff

import (
	"regexp"
	"strconv"
)

// timestampField matches the config fields that hold build times.
var timestampField = regexp.MustCompile(`^(created|history\[\d+\]\.created)$`)

// diffIDField matches a layer's diff_id; its index is the submatch.
var diffIDField = regexp.MustCompile(`^rootfs\.diff_ids\[(\d+)\]$`)

// configResult is what comparing two configs found.
type configResult struct {
	rows    []FieldDiff
	diffIDs []int // per row, the layer of a rootfs.diff_ids row, else -1
	norms   map[Normalization]bool
}

// keep is the rows but for the diff_ids of layers that differ by no more
// than a normalization (!differs(i)).
func (c configResult) keep(differs func(layer int) bool) []FieldDiff {
	rows := []FieldDiff{}
	for i, row := range c.rows {
		if l := c.diffIDs[i]; l < 0 || differs(l) {
			rows = append(rows, row)
		}
	}
	return rows
}

// diffConfig compares two raw configs.
func diffConfig(pubRaw, rebRaw []byte) (configResult, error) {
	res := configResult{norms: map[Normalization]bool{}}
	pub, err := decodeJSON("published config", pubRaw)
	if err != nil {
		return res, err
	}
	reb, err := decodeJSON("rebuilt config", rebRaw)
	if err != nil {
		return res, err
	}
	found := false
	walkJSON("", pub, reb, func(path string, a, b any) {
		found = true
		row := FieldDiff{Field: path, Published: short(a), Rebuilt: short(b)}
		if timestampField.MatchString(path) {
			res.norms[Timestamps] = true
			return
		}
		layer := -1
		if m := diffIDField.FindStringSubmatch(path); m != nil {
			layer, _ = strconv.Atoi(m[1])
		}
		res.rows = append(res.rows, row)
		res.diffIDs = append(res.diffIDs, layer)
	})
	if !found && string(pubRaw) != string(rebRaw) {
		res.norms[JSONEncoding] = true
	}
	return res, nil
}
