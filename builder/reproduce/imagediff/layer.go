package imagediff

import (
	"context"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/errgroup"
)

// pair is layer index of both images; a side without it is nil.
type pair struct {
	index    int
	pub, reb v1.Layer
}

// layerOutcome is what comparing a pair found: whether it differs beyond
// a normalization, its file rows, and the normalizations seen.
type layerOutcome struct {
	differs bool
	rows    []FileDiff
	norms   map[Normalization]bool
}

// compareLayer compares a pair: by compressed digest, then by diff ID,
// and only then entry by entry, streaming both.
func compareLayer(ctx context.Context, lp pair) (layerOutcome, error) {
	out := layerOutcome{norms: map[Normalization]bool{}}
	if lp.pub != nil && lp.reb != nil {
		same, err := sameHash(lp, v1.Layer.Digest)
		if err != nil || same {
			return out, err
		}
		if same, err = sameHash(lp, v1.Layer.DiffID); err != nil {
			return out, err
		}
		if same {
			out.norms[LayerCompression] = true
			return out, nil
		}
	}
	pub, reb, err := readPair(ctx, lp)
	if err != nil {
		return out, err
	}
	res := diffFiles(lp.index, pub, reb)
	out.rows, out.norms = res.rows, res.norms
	out.differs = len(res.rows) > 0 || lp.pub == nil || lp.reb == nil
	if !out.differs && len(out.norms) == 0 {
		// The tars differ, yet no entry does in any field, time or
		// position: they differ in how they encode the same entries.
		out.norms[TarFormat] = true
	}
	return out, nil
}

// sameHash says whether both layers of lp have the same hash h.
func sameHash(lp pair, h func(v1.Layer) (v1.Hash, error)) (bool, error) {
	a, err := h(lp.pub)
	if err != nil {
		return false, fmt.Errorf("layer %d of the published image: %w", lp.index, err)
	}
	b, err := h(lp.reb)
	if err != nil {
		return false, fmt.Errorf("layer %d of the rebuilt image: %w", lp.index, err)
	}
	return a == b, nil
}

// readPair reads the entries of both layers of lp at once; a missing side
// has none.
func readPair(ctx context.Context, lp pair) (pub, reb layerFiles, err error) {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		pub, err = readSide(ctx, lp.index, "published", lp.pub)
		return err
	})
	g.Go(func() (err error) {
		reb, err = readSide(ctx, lp.index, "rebuilt", lp.reb)
		return err
	})
	return pub, reb, g.Wait()
}

// readSide streams one layer, nil meaning none, through [readLayer].
func readSide(ctx context.Context, index int, side string, l v1.Layer) (layerFiles, error) {
	if l == nil {
		return layerFiles{}, nil
	}
	wrap := func(err error) error {
		d, _ := l.Digest()
		return fmt.Errorf("layer %d (%s) of the %s image: %w", index, d, side, err)
	}
	rc, err := l.Uncompressed()
	if err != nil {
		return nil, wrap(err)
	}
	defer rc.Close()
	files, err := readLayer(ctx, rc)
	if err != nil {
		return nil, wrap(err)
	}
	return files, nil
}
