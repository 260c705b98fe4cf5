package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/config"
)

// envOf returns an environment lookup over m, as tests pass to Load.
func envOf(m map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := m[name]
		return v, ok
	}
}

// writeFile writes content to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// loadYAML writes doc to a temporary caracal-bot.yaml and loads it with env.
func loadYAML(t *testing.T, doc string, env map[string]string) (*config.Config, error) {
	t.Helper()
	path := writeFile(t, t.TempDir(), "caracal-bot.yaml", doc)
	return config.Load(path, envOf(env))
}

// problems returns the rendered problems of a *config.ValidationError,
// failing the test when err is anything else.
func problems(t *testing.T, err error) []string {
	t.Helper()
	var verr *config.ValidationError
	require.True(t, errors.As(err, &verr), "want *config.ValidationError, got %T: %v", err, err)
	out := make([]string, 0, len(verr.Problems))
	for _, p := range verr.Problems {
		out = append(out, p.String())
	}
	return out
}
