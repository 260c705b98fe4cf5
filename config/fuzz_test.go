package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/caracal-bot/caracal-bot/config"
)

// FuzzLoadYAML feeds arbitrary bytes to Load as the config file: it must
// return a config or an error, never panic.
func FuzzLoadYAML(f *testing.F) {
	for _, seed := range []string{
		fullYAML,
		"",
		"caracal:\n  call_timeout: 5\n",
		"channels:\n  - &a {channel: C1, zone_id: z}\n  - *a\n",
		"a: &a [*a]\n",
		"caracal: {admin_token: [x], admin_token_file: /dev/null}\n",
		"? [a]\n: b\n",
		"---\n---\n",
		"log: !!binary aGVsbG8=\n",
		"<<: {caracal: {}}\n",
		"\t- :",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "caracal-bot.yaml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(path, func(string) (string, bool) { return "", false })
		if (cfg == nil) == (err == nil) {
			t.Fatalf("want exactly one of config and error, got %v and %v", cfg, err)
		}
		if err == nil {
			_ = cfg.Summary()
		} else {
			_ = err.Error()
		}
	})
}
