package commands

import (
	"errors"
	"fmt"
)

// UsageError is a malformed command: the user gets a one-line message saying
// what was expected (exit code 2 on the CLI).
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usageErrorf(format string, a ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, a...)}
}

// UnavailableError means the bot itself cannot do its job, e.g. Caracal
// rejected its admin token (exit code 1 on the CLI).
type UnavailableError struct{ Msg string }

func (e *UnavailableError) Error() string { return e.Msg }

// ExitCode maps a command error to the CLI's exit code: 0 none, 2 usage, 1 otherwise.
func ExitCode(err error) int {
	var u *UsageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &u):
		return 2
	}
	return 1
}
