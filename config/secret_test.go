package config_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/caracal-bot/caracal-bot/config"
)

func TestSecretFormatting(t *testing.T) {
	set, unset := config.Secret("s3cr3t-value"), config.Secret("")
	tests := []struct {
		name      string
		render    func(config.Secret) string
		set, none string
	}{
		{"String", config.Secret.String, "[redacted]", ""},
		{"GoString", config.Secret.GoString, `"[redacted]"`, `""`},
		{"%v", func(s config.Secret) string { return fmt.Sprintf("%v", s) }, "[redacted]", ""},
		{"%+v", func(s config.Secret) string { return fmt.Sprintf("%+v", s) }, "[redacted]", ""},
		{"%#v", func(s config.Secret) string { return fmt.Sprintf("%#v", s) }, `"[redacted]"`, `""`},
		{"%s", func(s config.Secret) string { return fmt.Sprintf("%s", s) }, "[redacted]", ""},
		{"%q", func(s config.Secret) string { return fmt.Sprintf("%q", s) }, `"[redacted]"`, `""`},
		{"%x", func(s config.Secret) string { return fmt.Sprintf("%x", s) }, "[redacted]", ""},
		{"%10.3s", func(s config.Secret) string { return fmt.Sprintf("%10.3s", s) }, "[redacted]", ""},
		{"Sprint", func(s config.Secret) string { return fmt.Sprint(s) }, "[redacted]", ""},
		{"pointer %v", func(s config.Secret) string { return fmt.Sprintf("%v", &s) }, "[redacted]", ""},
		{"json", func(s config.Secret) string { b, _ := json.Marshal(s); return string(b) }, `"[redacted]"`, `""`},
		{"text", func(s config.Secret) string { b, _ := s.MarshalText(); return string(b) }, "[redacted]", ""},
		{"yaml", func(s config.Secret) string { b, _ := yaml.Marshal(s); return string(b) }, "'[redacted]'\n", "\"\"\n"},
		{"slog", func(s config.Secret) string { return s.LogValue().String() }, "[redacted]", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.set, tt.render(set))
			assert.Equal(t, tt.none, tt.render(unset))
		})
	}
	assert.Equal(t, "s3cr3t-value", set.Reveal())
	assert.True(t, set.IsSet())
	assert.False(t, unset.IsSet())
}

// A whole Config, in every form the program might print, log or marshal it,
// never contains a token.
func TestConfigNeverRevealsSecrets(t *testing.T) {
	dir := t.TempDir()
	bearerFile := writeFile(t, dir, "bearer", "metrics-Bearer-9c1d\n")
	secrets := []string{"admin-Token-7f3a", "metrics-Bearer-9c1d", "coordinator-Token-44e0"}
	cfg, err := loadYAML(t, "caracal:\n  admin_token: admin-Token-7f3a\n", map[string]string{
		"CARACAL_METRICS_BEARER_FILE": bearerFile,
		"CARACAL_COORDINATOR_TOKEN":   "coordinator-Token-44e0",
	})
	require.NoError(t, err)
	require.Equal(t, secrets[0], cfg.Caracal.AdminToken.Reveal())
	require.Equal(t, secrets[1], cfg.Caracal.MetricsBearer.Reveal())
	require.Equal(t, secrets[2], cfg.Caracal.CoordinatorToken.Reveal())

	slogText := func(v any) string {
		var b bytes.Buffer
		slog.New(slog.NewTextHandler(&b, nil)).Info("loaded", "config", v)
		return b.String()
	}
	slogJSON := func(v any) string {
		var b bytes.Buffer
		slog.New(slog.NewJSONHandler(&b, nil)).Info("loaded", "config", v)
		return b.String()
	}
	mustJSON := func(v any) string {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		return string(b)
	}
	mustYAML := func(v any) string {
		b, err := yaml.Marshal(v)
		require.NoError(t, err)
		return string(b)
	}
	forms := map[string]string{}
	for _, v := range []struct {
		name string
		val  any
	}{{"*Config", cfg}, {"Config", *cfg}, {"Caracal", cfg.Caracal}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			forms[v.name+" "+verb] = fmt.Sprintf(verb, v.val)
		}
		forms[v.name+" json"] = mustJSON(v.val)
		forms[v.name+" yaml"] = mustYAML(v.val)
		forms[v.name+" slog text"] = slogText(v.val)
		forms[v.name+" slog json"] = slogJSON(v.val)
	}
	forms["Summary"] = cfg.Summary()
	forms["SummaryEntries json"] = mustJSON(cfg.SummaryEntries())

	for name, out := range forms {
		t.Run(name, func(t *testing.T) {
			require.NotEmpty(t, out)
			for _, s := range secrets {
				assert.NotContains(t, out, s)
				assert.NotContains(t, out, hex.EncodeToString([]byte(s)))
			}
		})
	}
	assert.Contains(t, forms["*Config %+v"], "AdminToken:[redacted]")
	assert.Contains(t, forms["Config %#v"], `AdminToken:"[redacted]"`)
	assert.Contains(t, forms["*Config json"], `"admin_token":"[redacted]"`)
	assert.Contains(t, forms["*Config yaml"], `admin_token: '[redacted]'`)
	assert.Contains(t, forms["*Config slog json"], `"caracal.admin_token":"set"`, "*Config logs its summary")
	assert.Contains(t, forms["Config slog json"], `"admin_token":"[redacted]"`, "a Config value falls back to JSON")
	assert.Contains(t, forms["Config slog text"], "AdminToken:[redacted]", "a Config value falls back to fmt")
}
