package farmtest

import (
	"fmt"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// CheckValid fails t unless the image or index at ref, in a registry,
// passes go-containerregistry's validate package as `crane validate
// --remote` runs it: every manifest, config and layer is read back and
// checked against its digest and size, every layer's diff id against the
// config, and every index descriptor's platform against its image's
// config (os, architecture and variant must be the same).
func CheckValid(t testing.TB, ref string) {
	t.Helper()
	if err := Validate(t, ref); err != nil {
		t.Error(err)
	}
}

// Validate is [CheckValid]'s check, returning what it finds.
func Validate(t testing.TB, ref string) error {
	r, err := name.ParseReference(ref)
	if err != nil {
		return err
	}
	opt := remote.WithContext(t.Context())
	desc, err := remote.Get(r, opt)
	if err != nil {
		return fmt.Errorf("validate %s: %w", ref, err)
	}
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return fmt.Errorf("validate %s: %w", ref, err)
		}
		if err := validate.Index(idx); err != nil {
			return fmt.Errorf("validate %s (%s): %w", ref, desc.Digest, err)
		}
		return nil
	}
	var img v1.Image
	if img, err = desc.Image(); err != nil {
		return fmt.Errorf("validate %s: %w", ref, err)
	}
	if err := validate.Image(img); err != nil {
		return fmt.Errorf("validate %s (%s): %w", ref, desc.Digest, err)
	}
	return nil
}
