package builder

// LookupError is a failed lookup of a job's build id where its image is
// staged: the registry could not be reached, or refused to answer (401,
// 5xx). Whether the job is built is not known. An [Executor] returns it,
// wrapped, for such a lookup; errors.As finds it.
type LookupError struct {
	BuildID string // the job's build id, known before the lookup
	Err     error  // what failed, naming the image looked up
}

func (e *LookupError) Error() string { return e.Err.Error() }
func (e *LookupError) Unwrap() error { return e.Err }
