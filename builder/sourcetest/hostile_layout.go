package sourcetest

import (
	"encoding/json"
	"strings"
	"testing"
)

// layoutCases are oci-import entries: an OCI image layout committed to
// git, whose File and blobs are read from the commit.
func layoutCases() []Case {
	oci := func(c Case) Case {
		c.Builder, c.Directory = "oci-import", "img"
		if c.File == "" {
			c.File = "index.json"
		}
		return c
	}
	return []Case{
		oci(Case{Name: "oci-busybox-shape", Attack: "none: blobs are symlinks to ../../image-manifest.json and the like, as in the real library/busybox",
			Tree: func(t testing.TB, _ *Outside, arch string) []Node { return ociTree(t, arch, nil) }, Stage: Harmless}),
		oci(Case{Name: "oci-file-dev-zero", Attack: "File: ../../../../dev/zero", File: "../../../../dev/zero",
			Tree:    func(t testing.TB, _ *Outside, arch string) []Node { return ociTree(t, arch, nil) },
			Refusal: `File "../../../../dev/zero" escapes the repository`, Stage: Plan}),
		oci(Case{Name: "oci-file-leaves-directory", Attack: "File: ../other/index.json, in the repository but out of Directory", File: "../other/index.json",
			Tree:    func(t testing.TB, _ *Outside, arch string) []Node { return ociTree(t, arch, nil) },
			Refusal: `"../other/index.json" leaves the directory img`, Stage: Plan}),
		oci(Case{Name: "oci-index-abs", Attack: "index.json is a symlink to OUTSIDE/secret",
			Tree: func(t testing.TB, o *Outside, arch string) []Node {
				return ociTree(t, arch, func(l map[string]any, _ layoutDigests) { l["index.json"] = Link("", o.SecretFile()) })
			}, Refusal: "is an absolute symlink", Stage: Plan}),
		oci(Case{Name: "oci-layout-dev-zero", Attack: "oci-layout is a symlink to /dev/zero",
			Tree: func(t testing.TB, _ *Outside, arch string) []Node {
				return ociTree(t, arch, func(l map[string]any, _ layoutDigests) { l["oci-layout"] = Link("", "/dev/zero") })
			}, Refusal: "is an absolute symlink", Stage: Build}),
		oci(Case{Name: "oci-layout-up", Attack: "oci-layout is a ../ symlink to OUTSIDE/secret",
			Tree: func(t testing.TB, o *Outside, arch string) []Node {
				return ociTree(t, arch, func(l map[string]any, _ layoutDigests) { l["oci-layout"] = Link("", o.Up(1)) })
			}, Refusal: "is a symlink out of the repository", Stage: Build}),
		oci(Case{Name: "oci-blob-leaves-directory", Attack: "the manifest blob links to ../../../other/image-manifest.json, out of Directory",
			Tree: func(t testing.TB, _ *Outside, arch string) []Node {
				return ociTree(t, arch, func(l map[string]any, d layoutDigests) {
					l["blobs/sha256/"+d.manifest] = Link("", "../../../other/image-manifest.json")
				})
			}, Refusal: "is a symlink out of img", Stage: Build}),
		oci(Case{Name: "oci-blob-abs", Attack: "the layer blob is a symlink to OUTSIDE/secret",
			Tree: func(t testing.TB, o *Outside, arch string) []Node {
				return ociTree(t, arch, func(l map[string]any, d layoutDigests) { l["blobs/sha256/"+d.layer] = Link("", o.SecretFile()) })
			}, Refusal: "is an absolute symlink", Stage: Build}),
		oci(Case{Name: "oci-blob-loop", Attack: "the config blob is a symlink to itself",
			Tree: func(t testing.TB, _ *Outside, arch string) []Node {
				return ociTree(t, arch, func(l map[string]any, d layoutDigests) { l["blobs/sha256/"+d.config] = Link("", d.config) })
			}, Refusal: "too many levels of symlinks", Stage: Build}),
		oci(Case{Name: "oci-size-lie", Attack: "index.json gives the manifest 100 bytes more than it has",
			Tree: func(t testing.TB, _ *Outside, arch string) []Node {
				return ociTree(t, arch, func(l map[string]any, _ layoutDigests) { l["index.json"] = editIndex(t, l, 100, "") })
			}, Refusal: "its descriptor says", Stage: Build}),
		oci(Case{Name: "oci-size-huge", Attack: "index.json says the manifest is 1 TiB",
			Tree: func(t testing.TB, _ *Outside, arch string) []Node {
				return ociTree(t, arch, func(l map[string]any, _ layoutDigests) { l["index.json"] = editIndex(t, l, 1<<40, "") })
			}, Refusal: "more than the 4194304 allowed", Stage: Build}),
		oci(Case{Name: "oci-tampered-layer", Attack: "rootfs.tar.gz no longer matches its digest (same size)",
			Tree: func(t testing.TB, _ *Outside, arch string) []Node {
				return ociTree(t, arch, func(l map[string]any, _ layoutDigests) {
					l["rootfs.tar.gz"] = strings.Repeat("x", len(l["rootfs.tar.gz"].(string)))
				})
			}, Refusal: "does not match its digest", Stage: Build}),
		oci(Case{Name: "oci-not-a-manifest", Attack: "index.json names its manifest as a Docker manifest list",
			Tree: func(t testing.TB, _ *Outside, arch string) []Node {
				return ociTree(t, arch, func(l map[string]any, _ layoutDigests) {
					l["index.json"] = editIndex(t, l, 0, "application/vnd.docker.distribution.manifest.list.v2+json")
				})
			}, Refusal: "want an OCI image manifest", Stage: Build}),
		oci(Case{Name: "oci-wrong-platform", Attack: "the layout holds an image for another architecture",
			Tree: func(t testing.TB, _ *Outside, arch string) []Node {
				other := "s390x"
				if arch == other {
					other = "amd64"
				}
				return ociTree(t, other, nil)
			}, Refusal: "the image is for linux/", Stage: Build}),
	}
}

// editIndex returns the layout's index.json with its manifest's size
// grown by grow and, if set, its media type replaced.
func editIndex(t testing.TB, l map[string]any, grow int64, mediaType string) string {
	t.Helper()
	var idx map[string]any
	if err := json.Unmarshal([]byte(l["index.json"].(string)), &idx); err != nil {
		t.Fatal(err)
	}
	m := idx["manifests"].([]any)[0].(map[string]any)
	m["size"] = m["size"].(float64) + float64(grow)
	if mediaType != "" {
		m["mediaType"] = mediaType
	}
	b, err := json.Marshal(idx)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
