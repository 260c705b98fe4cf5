package config_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/config"
)

// summaryLine returns the Summary line of one setting, its columns split.
func summaryLine(t *testing.T, summary, setting string) []string {
	t.Helper()
	for _, line := range strings.Split(summary, "\n") {
		if fields := strings.Fields(line); len(fields) > 0 && fields[0] == setting {
			return fields[1:]
		}
	}
	t.Fatalf("no line for %s in:\n%s", setting, summary)
	return nil
}

func TestSummaryShowsValuesAndSources(t *testing.T) {
	dir := t.TempDir()
	bearer := writeFile(t, dir, "bearer", "bearer-Secret-5b2e\n")
	doc := "caracal:\n  sts_url: https://sts.example\n  admin_token: admin-Secret-1a9f\n  max_retries: 4\nchannels:\n  - channel: C0123\n    zone_id: zone-a\n  - channel: C0456\n    zone_id: zone-b\n    zones: [zone-c]\n"
	cfg, err := loadYAML(t, doc, map[string]string{
		"CARACAL_ZONE_ID":             "zone-env",
		"CARACAL_METRICS_BEARER_FILE": bearer,
	})
	require.NoError(t, err)
	summary := cfg.Summary()

	tests := []struct {
		setting string
		want    string
	}{
		{"caracal.api_url", "http://localhost:3000 default CARACAL_API_URL"},
		{"caracal.sts_url", "https://sts.example file, line 2 CARACAL_STS_URL"},
		{"caracal.admin_token", "set file, line 3 CARACAL_ADMIN_TOKEN"},
		{"caracal.metrics_bearer", "set env CARACAL_METRICS_BEARER_FILE, read from " + bearer + " CARACAL_METRICS_BEARER"},
		{"caracal.coordinator_token", "unset default CARACAL_COORDINATOR_TOKEN"},
		{"caracal.zone_id", "zone-env env CARACAL_ZONE_ID CARACAL_ZONE_ID"},
		{"caracal.call_timeout", "5s default"},
		{"caracal.max_retries", "4 file, line 4"},
		{"log.level", "info default BOT_LOG_LEVEL"},
		{"channels", "2 mapped file, line 5"},
		{"channels[0]", "C0123 -> zone-a file, line 6"},
		{"channels[1]", "C0456 -> zone-b, zone-c file, line 8"},
	}
	for _, tt := range tests {
		t.Run(tt.setting, func(t *testing.T) {
			assert.Equal(t, tt.want, strings.Join(summaryLine(t, summary, tt.setting), " "))
		})
	}
	assert.True(t, strings.HasPrefix(summary, "config file: "+cfg.File()+"\n"))
	assert.NotContains(t, summary, "admin-Secret-1a9f")
	assert.NotContains(t, summary, "bearer-Secret-5b2e")
	for _, line := range strings.Split(summary, "\n") {
		assert.Equal(t, strings.TrimRight(line, " "), line, "no trailing blanks")
	}
}

func TestSummaryWithoutFile(t *testing.T) {
	t.Chdir(t.TempDir())
	cfg, err := config.Load("", envOf(nil))
	require.NoError(t, err)
	summary := cfg.Summary()
	assert.True(t, strings.HasPrefix(summary, "config file: none (environment and defaults only)\n"))
	assert.Equal(t, []string{"(none)", "default", "CARACAL_ZONE_ID"}, summaryLine(t, summary, "caracal.zone_id"))
	assert.Equal(t, []string{"none", "default"}, summaryLine(t, summary, "channels"))
}

func TestSummaryEntriesJSON(t *testing.T) {
	cfg, err := loadYAML(t, "", map[string]string{"CARACAL_ADMIN_TOKEN": "admin-Secret-1a9f"})
	require.NoError(t, err)
	out, err := json.Marshal(cfg.SummaryEntries())
	require.NoError(t, err)
	assert.NotContains(t, string(out), "admin-Secret-1a9f")

	var entries []map[string]any
	require.NoError(t, json.Unmarshal(out, &entries))
	assert.Contains(t, entries, map[string]any{
		"setting": "caracal.admin_token", "env": "CARACAL_ADMIN_TOKEN", "value": "set", "secret": true,
		"origin": map[string]any{"source": "env", "env": "CARACAL_ADMIN_TOKEN"},
	})
	assert.Contains(t, entries, map[string]any{
		"setting": "caracal.diagnosis_timeout", "value": "15s",
		"origin": map[string]any{"source": "default"},
	})
}

func TestConfigLogValue(t *testing.T) {
	cfg, err := loadYAML(t, "", map[string]string{"CARACAL_ADMIN_TOKEN": "admin-Secret-1a9f"})
	require.NoError(t, err)
	var b bytes.Buffer
	slog.New(slog.NewTextHandler(&b, nil)).Info("loaded", "config", cfg)
	assert.Contains(t, b.String(), "config.caracal.admin_token=set")
	assert.Contains(t, b.String(), "config.caracal.api_url=http://localhost:3000")
	assert.Contains(t, b.String(), "config.file="+cfg.File())
	assert.NotContains(t, b.String(), "admin-Secret-1a9f")
}
