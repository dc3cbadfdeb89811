package imagediff

import (
	"context"
	"fmt"
	"maps"
	"slices"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Compare compares the published image with its rebuild, both of one
// platform, and says whether they are [Identical], [Equivalent] or
// [Differs], and where. Layers are streamed, one pair at a time; nothing
// is held but the metadata of that pair's entries.
func Compare(ctx context.Context, published, rebuilt v1.Image, opts ...Option) (*Report, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, err
	}
	a, err := readSides(published, rebuilt)
	if err != nil {
		return nil, err
	}
	r := &Report{
		Verdict: Identical, Published: a.pub.digest.String(), Rebuilt: a.reb.digest.String(),
		Normalizations: []Normalization{}, Config: []FieldDiff{}, Layers: []LayerDiff{}, Files: []FileDiff{},
	}
	if a.pub.digest == a.reb.digest {
		return r, nil
	}
	var rep *reporter
	if o.reportDir != "" {
		rep = newReporter(o)
	}
	norms := map[Normalization]bool{}
	differing := map[int]bool{}
	for i := range max(len(a.pub.layers), len(a.reb.layers)) {
		lp := pair{index: i, pub: layerAt(a.pub.layers, i), reb: layerAt(a.reb.layers, i)}
		out, err := compareLayer(ctx, lp)
		if err != nil {
			return nil, err
		}
		maps.Copy(norms, out.norms)
		if !out.differs {
			continue
		}
		differing[i] = true
		r.Layers = append(r.Layers, layerDiff(lp, a))
		if rep != nil {
			if err := rep.write(ctx, lp, out.rows); err != nil {
				return nil, err
			}
		}
		r.Files = append(r.Files, out.rows...)
	}
	maps.Copy(norms, a.manifest.norms)
	maps.Copy(norms, a.config.norms)
	r.Config = append(a.config.keep(func(l int) bool { return differing[l] }), a.manifest.rows...)
	r.verdict(norms)
	return r, nil
}

// verdict sets the verdict and normalizations of a report whose rows are
// all in, for images of different digests.
func (r *Report) verdict(norms map[Normalization]bool) {
	if len(r.Config)+len(r.Layers)+len(r.Files) > 0 {
		r.Verdict = Differs
	} else {
		r.Verdict = Equivalent
	}
	if r.Verdict == Equivalent && len(norms) == 0 {
		// The manifests differ, yet in no field: only in their bytes.
		norms[JSONEncoding] = true
	}
	r.Normalizations = slices.AppendSeq([]Normalization{}, maps.Keys(norms))
	slices.Sort(r.Normalizations)
}

func layerAt(ls []v1.Layer, i int) v1.Layer {
	if i < len(ls) {
		return ls[i]
	}
	return nil
}

// layerDiff is the row of a pair that differs.
func layerDiff(lp pair, a *sides) LayerDiff {
	digest := func(l v1.Layer) string {
		if l == nil {
			return ""
		}
		if d, err := l.Digest(); err == nil {
			return d.String()
		}
		return ""
	}
	return LayerDiff{
		Index: lp.index, Published: digest(lp.pub), Rebuilt: digest(lp.reb),
		CreatedBy: instruction(lp.index, a.pub.createdBy, a.reb.createdBy),
	}
}

// side is what Compare reads of one image before its layers.
type side struct {
	digest           v1.Hash
	manifest, config []byte
	layers           []v1.Layer
	createdBy        []string
}

// readImage reads the digest, manifest, config and layer list of img,
// the name image.
func readImage(name string, img v1.Image) (*side, error) {
	wrap := func(what string, err error) error {
		return fmt.Errorf("reading the %s of the %s image: %w", what, name, err)
	}
	s := &side{}
	var err error
	if s.digest, err = img.Digest(); err != nil {
		return nil, wrap("digest", err)
	}
	if s.manifest, err = img.RawManifest(); err != nil {
		return nil, wrap("manifest", err)
	}
	if s.config, err = img.RawConfigFile(); err != nil {
		return nil, wrap("config", err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, wrap("config", err)
	}
	s.createdBy = createdBy(cfg)
	if s.layers, err = img.Layers(); err != nil {
		return nil, wrap("layers", err)
	}
	return s, nil
}

// sides is both images as Compare reads them, with their manifests and
// configs compared.
type sides struct {
	pub, reb *side
	manifest manifestResult
	config   configResult
}

func readSides(pubImg, rebImg v1.Image) (*sides, error) {
	pub, err := readImage("published", pubImg)
	if err != nil {
		return nil, err
	}
	reb, err := readImage("rebuilt", rebImg)
	if err != nil {
		return nil, err
	}
	a := &sides{pub: pub, reb: reb}
	if a.manifest, err = diffManifest(pub.manifest, reb.manifest); err != nil {
		return nil, err
	}
	if a.config, err = diffConfig(pub.config, reb.config); err != nil {
		return nil, err
	}
	return a, nil
}
