package store

import "errors"

// The errors Open wraps, so that its tests can tell them apart. They stay
// unexported: a caller has nothing to do about any of them but report
// the message, which names the file and says what to do.
var (
	// errInUse: another process holds the state file's lock.
	errInUse = errors.New("locked by another process")
	// errCorrupt: the state file is not a database this package can read.
	errCorrupt = errors.New("corrupt state file")
	// errNewerSchema: the state file was written by a newer brewkit.
	errNewerSchema = errors.New("state file written by a newer brewkit")
)
