package engine

import (
	"strings"
	"testing"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/manifest"
	"github.com/brewkit/brewkit/scheduler/workers"
)

// TestNewRefusesBadTargets checks that New checks its target up front.
func TestNewRefusesBadTargets(t *testing.T) {
	layout, err := builder.OpenLayout(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer layout.Close()
	tests := []struct {
		name    string
		target  *Target
		wantErr string
	}{
		{"registry and layout", &Target{Staging: "127.0.0.1:5000/s", Layout: layout}, "not both"},
		{"malformed staging", &Target{Staging: "127.0.0.1:5000/Staging"}, `staging prefix "127.0.0.1:5000/Staging"`},
		{"invalid worker", &Target{Workers: []workers.Worker{{Name: "x", Address: "unix:///x", Arches: []string{"nosucharch"}}}}, "nosucharch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Options{Target: tt.target})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("New: %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestEngineNeedsWhatItUses checks the errors of an Engine asked to do
// what its options do not allow, before it touches anything.
func TestEngineNeedsWhatItUses(t *testing.T) {
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Plan(t.Context(), nil, PlanOptions{}); err == nil || !strings.Contains(err.Error(), "no Sources") {
		t.Errorf("Plan without Sources: %v", err)
	}
	if _, err := e.Build(t.Context(), nil, BuildOptions{}); err == nil || !strings.Contains(err.Error(), "no Sources") {
		t.Errorf("Build without Sources: %v", err)
	}
	sources, err := gitsource.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	withSources, err := New(Options{Sources: sources})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := withSources.Plan(t.Context(), nil, PlanOptions{Filter: &manifest.Filter{Arch: "arm64"}}); err == nil || !strings.Contains(err.Error(), `unknown architecture "arm64"`) {
		t.Errorf("Plan for an unknown arch: %v", err)
	}
	if _, err := e.Lookup(t.Context(), nil); err == nil || !strings.Contains(err.Error(), "no registry") {
		t.Errorf("Lookup without staging: %v", err)
	}
}

// TestFarmStaging checks the staging default of a farm.
func TestFarmStaging(t *testing.T) {
	for _, tt := range []struct{ registry, staging, want string }{
		{"127.0.0.1:5000", "", "127.0.0.1:5000/brewkit/staging"},
		{"127.0.0.1:5000", "reg.example/ns/staging", "reg.example/ns/staging"},
		{"", "", ""},
	} {
		target, err := Farm(nil, tt.registry, tt.staging)
		if err != nil || target.Staging != tt.want {
			t.Errorf("Farm(%q, %q): staging %q, %v; want %q", tt.registry, tt.staging, target.Staging, err, tt.want)
		}
	}
}

// TestPublishOptionsCheck checks that a malformed destination is refused
// before anything is built.
func TestPublishOptionsCheck(t *testing.T) {
	tests := []struct {
		opts    PublishOptions
		wantErr string // "" when valid
	}{
		{PublishOptions{To: "127.0.0.1:5000/library"}, ""},
		{PublishOptions{To: "library"}, ""}, // Docker Hub
		{PublishOptions{To: "127.0.0.1:5000/library", ArchNamespaces: map[string]string{"arm64v8": "arm64v8"}}, ""},
		{PublishOptions{}, "no registry to publish to"},
		{PublishOptions{To: "127.0.0.1:5000/Library"}, `publishing to "127.0.0.1:5000/Library"`},
		{PublishOptions{To: "a:b:c/x"}, `publishing to "a:b:c/x"`},
		{PublishOptions{To: "127.0.0.1:5000/library", ArchNamespaces: map[string]string{"arm64v8": "Arm"}}, `arch namespace "Arm" for arm64v8`},
		{PublishOptions{To: "127.0.0.1:5000/library", ArchNamespaces: map[string]string{"arm64v8": "a:b"}}, `arch namespace "a:b" for arm64v8`},
	}
	for _, tt := range tests {
		err := tt.opts.Check()
		if (tt.wantErr == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%+v: Check() = %v, want an error containing %q", tt.opts, err, tt.wantErr)
		}
	}
}
