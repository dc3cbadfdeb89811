package load

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/identifiers"
	"github.com/containerd/containerd/v2/pkg/namespaces"
)

// DefaultContainerdSocket is where containerd listens when
// $CONTAINERD_ADDRESS is unset.
const DefaultContainerdSocket = "/run/containerd/containerd.sock"

// DefaultContainerdNamespace is the namespace images go into when
// $CONTAINERD_NAMESPACE is unset: the one ctr and nerdctl use.
const DefaultContainerdNamespace = "default"

// Containerd loads images into containerd's image store in one
// namespace, through its Go client (client.Import).
type Containerd struct {
	address   string
	namespace string
	version   string
	client    *client.Client
}

// FindContainerd returns the containerd that $CONTAINERD_ADDRESS names
// (a socket path, or unix://path) or, when it is unset, the one on
// [DefaultContainerdSocket], if it tells its version; its images go into
// $CONTAINERD_NAMESPACE, else [DefaultContainerdNamespace]. Its error
// names the address tried. Close releases the connection.
func FindContainerd(ctx context.Context, getenv func(string) string) (*Containerd, error) {
	c := &Containerd{address: getenv("CONTAINERD_ADDRESS"), namespace: getenv("CONTAINERD_NAMESPACE")}
	if c.address == "" {
		c.address = DefaultContainerdSocket
	}
	if c.namespace == "" {
		c.namespace = DefaultContainerdNamespace
	}
	if err := identifiers.Validate(c.namespace); err != nil {
		return nil, fmt.Errorf("$CONTAINERD_NAMESPACE=%s: %w", c.namespace, err)
	}
	if err := c.connect(ctx); err != nil {
		return nil, fmt.Errorf("tried containerd at %s: %w", c.address, err)
	}
	return c, nil
}

func (c *Containerd) connect(ctx context.Context) error {
	path := strings.TrimPrefix(c.address, "unix://")
	if _, err := os.Stat(path); err != nil {
		return err // containerd's dialer would wait for the socket to appear
	}
	cl, err := client.New(path, client.WithDefaultNamespace(c.namespace), client.WithTimeout(pingTimeout))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	v, err := cl.Version(ctx)
	if err != nil {
		cl.Close()
		return err
	}
	c.client, c.version = cl, v.Version
	return nil
}

// String names the store: "containerd 1.6.20 at
// /run/containerd/containerd.sock, namespace default".
func (c *Containerd) String() string {
	return fmt.Sprintf("containerd %s at %s, namespace %s", c.version, c.address, c.namespace)
}

// Load implements [Loader]: an import (client.Import) of every platform
// the tarball holds, each image named by the full reference its index
// annotates (io.containerd.image.name), as BuildKit's docker exporter
// writes it. See the package doc for why all platforms.
func (c *Containerd) Load(ctx context.Context) (io.WriteCloser, error) {
	ctx = namespaces.WithNamespace(ctx, c.namespace)
	return startPipe(ctx, "containerd image import", func(r io.Reader) error {
		_, err := c.client.Import(ctx, r, client.WithAllPlatforms(true))
		return err
	}), nil
}

// Close closes the connection to containerd.
func (c *Containerd) Close() error { return c.client.Close() }
