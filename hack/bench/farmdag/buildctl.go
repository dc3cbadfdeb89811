package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/brewkit/brewkit/builder/dockerfile"
	"github.com/brewkit/brewkit/scheduler"
)

// sequentialBuildctl builds a new commit of the DAG the way bashbrew does:
// one `buildctl build` at a time, parents first, each on the worker of its
// arch, its FROMs pinned by the digests the earlier builds printed.
func (b *bench) sequentialBuildctl(ctx context.Context) (time.Duration, error) {
	if err := b.newCommit(); err != nil {
		return 0, err
	}
	p, err := b.plan(ctx, "base", "dag")
	if err != nil {
		return 0, err
	}
	buildctl := filepath.Join(b.farmRoot, ".farm", "bin", "buildctl")
	pinned := map[*scheduler.Job]string{} // job → repo@digest
	start := time.Now()
	for _, j := range topological(p.Jobs) {
		ref, err := b.buildctl(ctx, buildctl, j, pinned)
		if err != nil {
			return 0, fmt.Errorf("buildctl %s: %w", j, err)
		}
		pinned[j] = ref
	}
	return time.Since(start), nil
}

// buildctl runs one build of j and returns the pushed image, pinned.
func (b *bench) buildctl(ctx context.Context, bin string, j *scheduler.Job, pinned map[*scheduler.Job]string) (string, error) {
	repo := b.exec.Staging + "-buildctl-" + j.Arch
	meta, err := os.CreateTemp("", "buildctl-meta-")
	if err != nil {
		return "", err
	}
	meta.Close()
	defer os.Remove(meta.Name())
	args := []string{"--addr", b.worker(j.Arch).Address, "build", "--progress", "quiet", "--frontend", "dockerfile.v0",
		"--opt", "context=" + b.fix.url + "#" + j.Source.GitCommit + ":" + j.Source.Directory,
		"--opt", "filename=" + j.Source.File, "--opt", "platform=" + j.Platform,
		"--opt", "build-arg:SOURCE_DATE_EPOCH=" + strconv.FormatInt(j.CommitTime.Unix(), 10),
		"--output", "type=image,name=" + repo + ",push=true,push-by-digest=true,rewrite-timestamp=true",
		"--metadata-file", meta.Name()}
	for _, e := range j.Parents {
		args = append(args, "--opt", "context:"+dockerfile.FamiliarName(e.From)+"=docker-image://"+pinned[e.Job])
	}
	if out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput(); err != nil {
		return "", fmt.Errorf("%v: %s", err, out)
	}
	data, err := os.ReadFile(meta.Name())
	if err != nil {
		return "", err
	}
	var m struct {
		Digest string `json:"containerimage.digest"`
	}
	if err := json.Unmarshal(data, &m); err != nil || m.Digest == "" {
		return "", fmt.Errorf("no digest in buildctl's metadata (%v): %s", err, data)
	}
	return repo + "@" + m.Digest, nil
}
