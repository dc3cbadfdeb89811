package workers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Config is the content of a workers file.
type Config struct {
	// Workers are the workers, in the file's order.
	Workers []Worker
	// Registry is the registry the workers push to and pull from, such as
	// "127.0.0.1:5000"; empty when the file names none.
	Registry string
}

// Load reads the workers of a workers file (see the package doc) and checks
// them as [Validate] does. It is [LoadConfig] without the registry.
func Load(path string) ([]Worker, error) {
	c, err := LoadConfig(path)
	if err != nil {
		return nil, err
	}
	return c.Workers, nil
}

// LoadConfig reads a workers file and checks its workers as [Validate] does.
// A worker without a name gets [DefaultName] of its arches; relative TLS
// file paths are taken from the file's directory. Errors name the file, and
// the line and worker when they can; every problem is reported, joined with
// [errors.Join]. A file without workers is an error.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("reading workers file: %w", err)
	}
	f, lines, err := decode(path, data)
	if err != nil {
		return Config{}, err
	}
	if len(f.Workers) == 0 {
		return Config{}, fmt.Errorf("%s: no workers; want a list such as\n"+
			"workers:\n  - {name: amd64, address: unix:///run/buildkit/buildkitd.sock, arches: [amd64]}", path)
	}
	c := Config{Registry: f.Registry, Workers: make([]Worker, len(f.Workers))}
	for i, fw := range f.Workers {
		c.Workers[i] = fw.worker(filepath.Dir(path))
	}
	err = validate(c.Workers, func(i int) string {
		return fmt.Sprintf("%s:%d: %s", path, lines[i], workerLabel(c.Workers, i))
	})
	if err != nil {
		return Config{}, err
	}
	return c, nil
}

// file, fileWorker and fileTLS are the YAML shape of a workers file.
type file struct {
	Workers  []fileWorker `yaml:"workers"`
	Registry string       `yaml:"registry"`
}

type fileWorker struct {
	Name        string   `yaml:"name"`
	Address     string   `yaml:"address"`
	Arches      []string `yaml:"arches"`
	Concurrency int      `yaml:"concurrency"`
	TLS         *fileTLS `yaml:"tls"`
}

type fileTLS struct {
	CA         string `yaml:"ca"`
	Cert       string `yaml:"cert"`
	Key        string `yaml:"key"`
	ServerName string `yaml:"servername"`
}

// worker converts fw, resolving relative TLS paths against dir.
func (fw fileWorker) worker(dir string) Worker {
	w := Worker{Name: fw.Name, Address: fw.Address, Arches: fw.Arches, Concurrency: fw.Concurrency}
	if w.Name == "" {
		w.Name = DefaultName(w.Arches)
	}
	if t := fw.TLS; t != nil {
		abs := func(p string) string {
			if p == "" || filepath.IsAbs(p) {
				return p
			}
			return filepath.Join(dir, p)
		}
		w.TLS = &TLS{CA: abs(t.CA), Cert: abs(t.Cert), Key: abs(t.Key), ServerName: t.ServerName}
	}
	return w
}

// decode decodes the workers file at path strictly (unknown keys are errors) and
// returns the line of each worker.
func decode(path string, data []byte) (file, []int, error) {
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return file{}, nil, fmt.Errorf("%s: empty; want a workers: list", path)
		}
		return file{}, nil, explainYAML(path, err)
	}
	// A second pass for positions: KnownFields has no Node equivalent.
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return file{}, nil, explainYAML(path, err)
	}
	return f, workerLines(&root, len(f.Workers)), nil
}

// workerLines returns the line of each item of the top-level workers list,
// or 0 where it cannot tell.
func workerLines(root *yaml.Node, n int) []int {
	lines := make([]int, n)
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return lines
	}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != "workers" {
			continue
		}
		for j, item := range m.Content[i+1].Content {
			if j < n {
				lines[j] = item.Line
			}
		}
	}
	return lines
}

// explainYAML rewrites yaml's errors as one error per problem, in the form
// "PATH:LINE: message", speaking of keys rather than of Go types.
func explainYAML(path string, err error) error {
	msgs := []string{err.Error()}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	hints := strings.NewReplacer(
		"in type workers.fileWorker", "in a worker; want name, address, arches, concurrency or tls",
		"in type workers.fileTLS", "in tls; want ca, cert, key or servername",
		"in type workers.file", "at the top; want workers or registry",
	)
	errs := make([]error, len(msgs))
	for i, msg := range msgs {
		msg = hints.Replace(strings.TrimPrefix(msg, "yaml: "))
		if rest, ok := strings.CutPrefix(msg, "line "); ok {
			if n, text, ok := strings.Cut(rest, ": "); ok {
				errs[i] = fmt.Errorf("%s:%s: %s", path, n, text)
				continue
			}
		}
		errs[i] = fmt.Errorf("%s: %s", path, msg)
	}
	return errors.Join(errs...)
}
