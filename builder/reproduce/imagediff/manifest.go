package imagediff

import "regexp"

// manifestSkipped matches the manifest fields compared elsewhere: the
// config by its content, each layer by its own (a layer one side lacks
// included: its pair is a layer row).
var manifestSkipped = regexp.MustCompile(`^(config\.(digest|size)|layers\[\d+\](\.(digest|size))?)$`)

// layerMediaType matches a layer's media type: one that is not the twin
// of the other side's says another compression (gzip, zstd, none), which
// the layer's pair is compared for (same diff ID: "layer compression").
var layerMediaType = regexp.MustCompile(`^layers\[\d+\]\.mediaType$`)

// manifestMediaType matches the manifest fields that hold a media type.
var manifestMediaType = regexp.MustCompile(`^(mediaType|config\.mediaType|layers\[\d+\]\.mediaType)$`)

// ociEquivalent maps each Docker schema 2 media type to its OCI twin.
var ociEquivalent = map[string]string{
	"application/vnd.docker.distribution.manifest.v2+json": "application/vnd.oci.image.manifest.v1+json",
	"application/vnd.docker.container.image.v1+json":       "application/vnd.oci.image.config.v1+json",
	"application/vnd.docker.image.rootfs.diff.tar.gzip":    "application/vnd.oci.image.layer.v1.tar+gzip",
	"application/vnd.docker.image.rootfs.diff.tar":         "application/vnd.oci.image.layer.v1.tar",
}

// manifestResult is what comparing two manifests found.
type manifestResult struct {
	rows  []FieldDiff
	norms map[Normalization]bool
}

// diffManifest compares two raw manifests, field by field, but for the
// digests and sizes of the config and layers.
func diffManifest(pubRaw, rebRaw []byte) (manifestResult, error) {
	res := manifestResult{norms: map[Normalization]bool{}}
	pub, err := decodeJSON("published manifest", pubRaw)
	if err != nil {
		return res, err
	}
	reb, err := decodeJSON("rebuilt manifest", rebRaw)
	if err != nil {
		return res, err
	}
	walkJSON("", pub, reb, func(path string, a, b any) {
		switch {
		case manifestSkipped.MatchString(path):
			return
		case manifestMediaType.MatchString(path) && sameMediaType(a, b):
			res.norms[MediaTypes] = true
			return
		case layerMediaType.MatchString(path):
			return
		}
		res.rows = append(res.rows, FieldDiff{Field: "manifest." + path, Published: short(a), Rebuilt: short(b)})
	})
	return res, nil
}

// sameMediaType says whether a and b are a media type and its twin.
func sameMediaType(a, b any) bool {
	as, aok := a.(string)
	bs, bok := b.(string)
	canon := func(s string) string {
		if oci, ok := ociEquivalent[s]; ok {
			return oci
		}
		return s
	}
	return aok && bok && canon(as) == canon(bs)
}
