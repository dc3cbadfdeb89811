package builder

import (
	"testing"

	"github.com/docker/cli/cli/config/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/moby/buildkit/session/auth/authprovider"
)

// staticKeychain answers for one registry.
type staticKeychain struct {
	registry string
	auth     authn.AuthConfig
}

func (k staticKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	if r.RegistryStr() != k.registry {
		return authn.Anonymous, nil
	}
	return authn.FromConfig(k.auth), nil
}

// TestKeychainAuth checks that BuildKit's credential requests are
// answered from the keychain, Docker Hub included.
func TestKeychainAuth(t *testing.T) {
	tests := []struct {
		name     string
		keychain staticKeychain
		host     string
		want     types.AuthConfig
	}{
		{"a registry", staticKeychain{"reg.example:5000", authn.AuthConfig{Username: "u", Password: "p"}}, "reg.example:5000",
			types.AuthConfig{Username: "u", Password: "p", ServerAddress: "reg.example:5000"}},
		{"Docker Hub", staticKeychain{"index.docker.io", authn.AuthConfig{IdentityToken: "tok"}}, authprovider.DockerHubRegistryHost,
			types.AuthConfig{IdentityToken: "tok", ServerAddress: "index.docker.io"}},
		{"another registry", staticKeychain{"reg.example:5000", authn.AuthConfig{Username: "u", Password: "p"}}, "other.example",
			types.AuthConfig{ServerAddress: "other.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := keychainAuth(tt.keychain)(t.Context(), tt.host, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("auth config (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := keychainAuth(authn.DefaultKeychain)(t.Context(), "bad host/x", nil, nil); err == nil {
		t.Error("a malformed host: no error")
	}
}
