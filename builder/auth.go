package builder

import (
	"context"
	"fmt"

	"github.com/docker/cli/cli/config/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/auth/authprovider"
)

// authSession is the session attachable that answers BuildKit's
// credential requests (pulls of FROMs, pushes to staging) from kc, the
// same keychain brewkit's own registry calls use, so that one source of
// credentials serves a whole run.
func authSession(kc authn.Keychain) session.Attachable {
	return authprovider.NewDockerAuthProvider(authprovider.DockerAuthProviderConfig{
		AuthConfigProvider: keychainAuth(kc),
	})
}

// keychainAuth adapts kc to BuildKit's AuthConfigProvider. BuildKit asks
// for Docker Hub as registry-1.docker.io, which keychains know as
// index.docker.io.
func keychainAuth(kc authn.Keychain) authprovider.AuthConfigProvider {
	return func(ctx context.Context, host string, _ []string, _ authprovider.ExpireCachedAuthCheck) (types.AuthConfig, error) {
		if host == authprovider.DockerHubRegistryHost {
			host = name.DefaultRegistry
		}
		reg, err := name.NewRegistry(host)
		if err != nil {
			return types.AuthConfig{}, fmt.Errorf("credentials for %q: %w", host, err)
		}
		a, err := authn.Resolve(ctx, kc, reg)
		if err != nil {
			return types.AuthConfig{}, fmt.Errorf("credentials for %s: %w", host, err)
		}
		cfg, err := authn.Authorization(ctx, a)
		if err != nil {
			return types.AuthConfig{}, fmt.Errorf("credentials for %s: %w", host, err)
		}
		return types.AuthConfig{Username: cfg.Username, Password: cfg.Password, Auth: cfg.Auth,
			IdentityToken: cfg.IdentityToken, RegistryToken: cfg.RegistryToken, ServerAddress: host}, nil
	}
}
