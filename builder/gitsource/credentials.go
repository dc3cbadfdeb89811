package gitsource

// Environment variables through which [credentialArgs]' helper receives
// a GitRepo's credential: git's environment, unlike its arguments, is not
// in the process table.
const (
	envUser     = "BREWKIT_GIT_USERNAME"
	envPassword = "BREWKIT_GIT_PASSWORD"
)

// credentialHelper answers git's "get" with the credential in the
// environment. git asks it after the helpers of its own configuration,
// which therefore win: a credential in the GitRepo is the fallback.
const credentialHelper = `!f() { test "$1" = get && printf 'username=%s\npassword=%s\n' "$` + envUser + `" "$` + envPassword + `"; }; f`

// credentialArgs are the git options and environment that give rem's
// credential to one fetch, or nothing when it has none.
func credentialArgs(rem remote) (args, env []string) {
	if rem.cred == nil {
		return nil, nil
	}
	password, _ := rem.cred.Password()
	return []string{"-c", "credential.helper=" + credentialHelper},
		[]string{envUser + "=" + rem.cred.Username(), envPassword + "=" + password}
}
