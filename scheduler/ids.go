package scheduler

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// SourceID is the production pipeline's content address of a source:
//
//	sha256(checksum + "\n" + file + "\n" + builder + "\n")
//
// where checksum is the sha256 of the scrubbed tar of the build context
// (bashbrew context --sha256). The architecture is not part of it: one
// source serves every architecture, entry and repository that names it.
func SourceID(checksum, file, builder string) string {
	return sha256Hex(checksum + "\n" + file + "\n" + builder + "\n")
}

// Parent is a FROM and the digest of the image it resolved to for one
// architecture (the per-architecture manifest, not an index).
type Parent struct {
	From   string
	Digest string
}

// BuildID is the production pipeline's cache key of a build:
//
//	sha256(json({"sourceId": …, "arch": …, "parents": {FROM: digest, …}}) + "\n")
//
// with the parents in the order the Dockerfile names them. When a parent
// is rebuilt its digest changes, and with it every descendant's BuildID.
func BuildID(sourceID, arch string, parents []Parent) string {
	var b bytes.Buffer
	b.WriteString(`{"sourceId":`)
	writeJSONString(&b, sourceID)
	b.WriteString(`,"arch":`)
	writeJSONString(&b, arch)
	b.WriteString(`,"parents":{`)
	for i, p := range parents {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(&b, p.From)
		b.WriteByte(':')
		writeJSONString(&b, p.Digest)
	}
	b.WriteString("}}\n")
	return sha256Hex(b.String())
}

func writeJSONString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s) // a string always marshals
	b.Write(enc)
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
