package imagediff

import v1 "github.com/google/go-containerregistry/pkg/v1"

// createdBy maps each layer of cfg to the instruction that made it: the
// created_by of the layer-th history entry that is not an empty_layer one.
// A layer without such an entry maps to "".
func createdBy(cfg *v1.ConfigFile) []string {
	var byLayer []string
	if cfg == nil {
		return nil
	}
	for _, h := range cfg.History {
		if !h.EmptyLayer {
			byLayer = append(byLayer, h.CreatedBy)
		}
	}
	return byLayer
}

// instruction is the created_by of layer i, the published image's first.
func instruction(i int, pub, reb []string) string {
	for _, s := range [][]string{pub, reb} {
		if i < len(s) && s[i] != "" {
			return s[i]
		}
	}
	return ""
}
