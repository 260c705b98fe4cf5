package main

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/caracal-bot/caracal-bot/bot/slack/slackfake"
)

// The Grafana dashboard and the alert rules shipped in deploy/.
const (
	dashboardFile = "../../deploy/grafana/caracal-bot.json"
	alertsFile    = "../../deploy/helm/caracal-bot/files/alerts.yaml"
)

// TestDashboardAndAlertsUseOnlyMetricsServeExposes: every metric the
// dashboard and the alert rules select is on the /metrics of a running
// serve. The bot runs a command in Socket Mode, with a schedule, and meets
// a 429 and a 500 from Slack; every other series the rules read (Caracal
// calls, digests, undelivered replies, reconnections) exists from the
// start, at zero, so that an alert sees its first increase.
func TestDashboardAndAlertsUseOnlyMetricsServeExposes(t *testing.T) {
	sm := slackfake.NewSocketMode(50 * time.Millisecond)
	t.Cleanup(sm.Close)
	fake := slackfake.Start(t, slackfake.WithSocketMode(sm))
	cfg := writeFile(t, "caracal-bot.yaml", "schedules:\n  - {name: morning-digest, spec: \"0 9 * * 1-5\", slack_channels: ["+testChannel+"]}\n")
	base := startServeWithConfig(t, fake, cfg, map[string]string{"SLACK_APP_TOKEN": "xapp-test-app-token"})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, sm.WaitConnections(ctx, 1))

	fake.RateLimit("chat.postMessage", 1, 0)
	fake.FailHTTP("chat.postMessage", 500, 1)
	_, err := sm.SendSlashCommand(slack.SlashCommand{Command: "/caracal", Text: "why " + denyID, UserID: "U0ONCALL",
		ChannelID: testChannel, TeamID: slackfake.TeamID, TriggerID: "trig-metrics", ResponseURL: fake.ResponseURL("trig-metrics")})
	require.NoError(t, err)
	waitThread(t, fake, 3)

	code, body := getStatus(t, base+"/metrics")
	require.Equal(t, 200, code)
	exposed := sampleNames(body)
	for file, exprs := range map[string][]string{dashboardFile: dashboardExprs(t), alertsFile: alertExprs(t)} {
		require.NotEmpty(t, exprs, file)
		for _, expr := range exprs {
			names := metricNames(expr)
			assert.NotEmpty(t, names, "%s: no metric found in %q", file, expr)
			for _, name := range names {
				assert.True(t, exposed[name], "%s uses %s, which serve's /metrics does not have (in %q)", file, name, expr)
			}
		}
	}
}

// sampleNames returns the series names of a Prometheus text exposition
// (a histogram's are its _bucket, _sum and _count).
func sampleNames(exposition string) map[string]bool {
	names := map[string]bool{}
	for _, line := range strings.Split(exposition, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		names[strings.FieldsFunc(line, func(r rune) bool { return r == '{' || r == ' ' })[0]] = true
	}
	return names
}

// dashboardExprs returns the PromQL of every panel's targets and of the
// query variables (the series selector inside label_values).
func dashboardExprs(t *testing.T) []string {
	t.Helper()
	var d struct {
		Panels []struct {
			Targets []struct{ Expr string }
		}
		Templating struct {
			List []struct{ Type, Definition string }
		}
	}
	decodeFile(t, dashboardFile, &d)
	var out []string
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			out = append(out, tg.Expr)
		}
	}
	labelValues := regexp.MustCompile(`^label_values\((.+),\s*\w+\)$`)
	for _, v := range d.Templating.List {
		if v.Type == "query" {
			m := labelValues.FindStringSubmatch(v.Definition)
			require.NotNil(t, m, "variable query %q", v.Definition)
			out = append(out, m[1])
		}
	}
	return out
}

// alertExprs returns the expression of every alert rule.
func alertExprs(t *testing.T) []string {
	t.Helper()
	var f struct {
		Groups []struct{ Rules []struct{ Expr string } }
	}
	decodeFile(t, alertsFile, &f)
	var out []string
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			out = append(out, r.Expr)
		}
	}
	return out
}

// decodeFile decodes a YAML file, or a JSON one (JSON is YAML), into v.
func decodeFile(t *testing.T, name string, v any) {
	t.Helper()
	raw, err := os.ReadFile(name)
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(raw, v), name)
}

// PromQL's lexical parts that are not metric names.
var (
	promStrings  = regexp.MustCompile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`")
	promMatchers = regexp.MustCompile(`\{[^}]*\}|\[[^\]]*\]`)
	promGrouping = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	promIdent    = regexp.MustCompile(`[A-Za-z_:][A-Za-z0-9_:]*`)
	promKeywords = map[string]bool{"and": true, "or": true, "unless": true, "bool": true, "offset": true,
		"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
		"inf": true, "nan": true}
)

// metricNames returns the metric names a PromQL expression selects: the
// identifiers left once strings, label matchers, ranges and grouping
// clauses are gone that are neither keywords, functions nor aggregations
// (followed by "("), nor part of a number (0.95, 1e3).
func metricNames(expr string) []string {
	expr = promStrings.ReplaceAllString(expr, `""`)
	expr = promMatchers.ReplaceAllString(expr, " ")
	expr = promGrouping.ReplaceAllString(expr, " ")
	var names []string
	for _, loc := range promIdent.FindAllStringIndex(expr, -1) {
		name, before, after := expr[loc[0]:loc[1]], expr[:loc[0]], strings.TrimLeft(expr[loc[1]:], " \t\n")
		if promKeywords[strings.ToLower(name)] || strings.HasPrefix(after, "(") ||
			strings.TrimRight(before, "0123456789.") != before {
			continue
		}
		names = append(names, name)
	}
	return names
}

func TestMetricNamesFindsWhatAnExpressionSelects(t *testing.T) {
	cases := map[string][]string{
		`up`: {"up"},
		`histogram_quantile(0.95, sum by (le, platform) (rate(a_bucket{job=~"$job", x="by (y)"}[$__rate_interval])))`: {"a_bucket"},
		`sum without (pod) (a) / on (job) group_left (team) b offset 5m`:                                              {"a", "b"},
		`a > 1e3 and bool b unless c or sum(d) by (e)`:                                                                {"a", "b", "c", "d"},
		`time() - max(e_seconds{o!~'x|y'}) > 900`:                                                                     {"e_seconds"},
	}
	for expr, want := range cases {
		assert.Equal(t, want, metricNames(expr), expr)
	}
}
