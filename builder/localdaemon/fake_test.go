package localdaemon

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	controlapi "github.com/moby/buildkit/api/services/control"
	apitypes "github.com/moby/buildkit/api/types"
	"github.com/moby/buildkit/solver/pb"
	"google.golang.org/grpc"
)

// TestMain makes the test binary a fake buildkitd when it runs under that
// name (tests link it into a PATH directory as "buildkitd").
func TestMain(m *testing.M) {
	if filepath.Base(os.Args[0]) == "buildkitd" {
		os.Exit(fakeBuildkitd(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// fakeControl answers the two calls a probe makes.
type fakeControl struct {
	controlapi.UnimplementedControlServer
	platforms []*pb.Platform
}

func (f *fakeControl) Info(context.Context, *controlapi.InfoRequest) (*controlapi.InfoResponse, error) {
	return &controlapi.InfoResponse{BuildkitVersion: &apitypes.BuildkitVersion{Version: "v0.0.0-fake"}}, nil
}

func (f *fakeControl) ListWorkers(context.Context, *controlapi.ListWorkersRequest) (*controlapi.ListWorkersResponse, error) {
	return &controlapi.ListWorkersResponse{Record: []*apitypes.WorkerRecord{{ID: "fake", Platforms: f.platforms}}}, nil
}

// serveFake serves a fake BuildKit control API on the unix socket path,
// advertising platforms ("os/arch[/variant]"), until stop is called.
func serveFake(path string, platforms ...string) (stop func(), err error) {
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	f := &fakeControl{}
	for _, p := range platforms {
		parts := append(strings.Split(p, "/"), "")
		f.platforms = append(f.platforms, &pb.Platform{OS: parts[0], Architecture: parts[1], Variant: parts[2]})
	}
	s := grpc.NewServer()
	controlapi.RegisterControlServer(s, f)
	go s.Serve(l)
	return s.Stop, nil
}

// fakeBuildkitd takes buildkitd's flags, locks its root as buildkitd does,
// copies its arguments and config there (root/args, root/config), serves
// the fake API for its platform until SIGTERM, and exits 0.
func fakeBuildkitd(args []string) int {
	fs := flag.NewFlagSet("buildkitd", flag.ContinueOnError)
	config, root, addr := fs.String("config", "", ""), fs.String("root", "", ""), fs.String("addr", "", "")
	platform := fs.String("oci-worker-platform", "", "")
	fs.Bool("containerd-worker", true, "")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fail := func(err error) int { fmt.Fprintln(os.Stderr, "fake buildkitd:", err); return 1 }
	if err := os.MkdirAll(*root, 0o700); err != nil {
		return fail(err)
	}
	lock, err := os.Create(filepath.Join(*root, "buildkitd.lock"))
	if err != nil {
		return fail(err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return fail(fmt.Errorf("could not lock %s, another instance running?", lock.Name()))
	}
	conf, err := os.ReadFile(*config)
	if err != nil {
		return fail(err)
	}
	if err := os.WriteFile(filepath.Join(*root, "args"), []byte(strings.Join(args, "\n")), 0o600); err != nil {
		return fail(err)
	}
	if err := os.WriteFile(filepath.Join(*root, "config"), conf, 0o600); err != nil {
		return fail(err)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM)
	stop, err := serveFake(strings.TrimPrefix(*addr, "unix://"), *platform, "linux/s390x")
	if err != nil {
		return fail(err)
	}
	<-sig
	stop()
	return 0
}
