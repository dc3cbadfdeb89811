package imagediff

// Verdict is the outcome of a comparison.
type Verdict string

// The verdicts, from best to worst.
const (
	// Identical: both images have the same manifest digest.
	Identical Verdict = "identical"
	// Equivalent: the manifests differ, but only by the differences
	// [Report.Normalizations] names.
	Equivalent Verdict = "equivalent"
	// Differs: some difference is not a normalization; the rows of the
	// report say which.
	Differs Verdict = "differs"
)

// Normalization names one kind of difference that does not make two images
// differ. The package documentation defines each.
type Normalization string

// The normalizations, as [Report.Normalizations] lists them.
const (
	LayerCompression Normalization = "layer compression"
	TarEntryOrder    Normalization = "tar entry order"
	TarFormat        Normalization = "tar format"
	Timestamps       Normalization = "timestamps"
	MediaTypes       Normalization = "media types"
	JSONEncoding     Normalization = "json encoding"
)

// Change says how a file differs between two layers. A row names the
// most significant one; its Note gives both values of every one.
type Change string

// The changes, most significant first.
const (
	UnsafePath Change = "unsafe path" // the path escapes the root on one side: "..", absolute, or through a symlink of the layer
	Added      Change = "added"       // only in the rebuilt layer
	Removed    Change = "removed"     // only in the published layer
	TypeChange Change = "type"        // file, directory, symlink, hardlink, device, fifo
	Content    Change = "content"     // a regular file's bytes (sha256 or size)
	LinkTarget Change = "link target" // a symlink's or hardlink's target
	Mode       Change = "mode"        // permission, setuid, setgid and sticky bits
	Owner      Change = "owner"       // numeric uid or gid
	Xattrs     Change = "xattrs"      // extended attributes (PAX SCHILY.xattr records)
	Device     Change = "device"      // a device's major or minor number
)

// Report is the comparison of a published image with its rebuild. Every
// list is sorted and never nil, so that its JSON has [] and not null.
type Report struct {
	Verdict Verdict `json:"verdict"`
	// Published and Rebuilt are the manifest digests.
	Published string `json:"published"`
	Rebuilt   string `json:"rebuilt"`
	// Normalizations are the kinds of differences found and forgiven.
	Normalizations []Normalization `json:"normalizations"`
	// Config are the fields of the configs (and, prefixed "manifest.",
	// of the manifests) that differ beyond a normalization.
	Config []FieldDiff `json:"config"`
	// Layers are the layers that differ beyond a normalization, by
	// index: the first is the first layer that differs.
	Layers []LayerDiff `json:"layers"`
	// Files are the entries that differ in those layers, by layer then
	// path.
	Files []FileDiff `json:"files"`
}

// FieldDiff is a JSON field that differs: its path, such as "config.Env[2]",
// "created", "history[3].created_by" or "rootfs.diff_ids[2]", and both
// values, shortened (a string as it is, anything else as compact JSON,
// "(absent)" when the side has no such field).
type FieldDiff struct {
	Field     string `json:"field"`
	Published string `json:"published"`
	Rebuilt   string `json:"rebuilt"`
}

// LayerDiff is a layer that differs: its index in the manifest, both
// compressed digests ("" on the side with fewer layers) and the
// Dockerfile instruction that made it (the created_by of its history
// entry, published side first).
type LayerDiff struct {
	Index     int    `json:"index"`
	Published string `json:"published"`
	Rebuilt   string `json:"rebuilt"`
	CreatedBy string `json:"created_by"`
}

// FileDiff is an entry that differs between layer Layer of both images.
// Path is the entry's path in the layer's tar, cleaned (a whiteout keeps
// its ".wh." name; Note says what it deletes). The sha256 (hex) and size
// are of a regular file's content, empty and 0 for anything else or an
// absent side. Note gives both values of each differing attribute, and
// what the report directory holds when one is written.
type FileDiff struct {
	Layer           int    `json:"layer"`
	Path            string `json:"path"`
	Change          Change `json:"change"`
	PublishedSHA256 string `json:"published_sha256"`
	RebuiltSHA256   string `json:"rebuilt_sha256"`
	PublishedSize   int64  `json:"published_size"`
	RebuiltSize     int64  `json:"rebuilt_size"`
	Note            string `json:"note,omitempty"`
}
