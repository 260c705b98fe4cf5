package platform_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/config"
	"github.com/caracal-bot/caracal-bot/ops"
)

// recorder is a platform that records what it is asked to do.
type recorder struct {
	name   string
	posts  []string // channel IDs
	starts int
}

func (r *recorder) Name() string { return r.name }

func (r *recorder) Start(_ context.Context, h platform.Host) ([]ops.Check, error) {
	r.starts++
	h.Mux.Handle("/"+r.name, http.NotFoundHandler())
	return []ops.Check{platform.ConnectionCheck(r.name+" link", func() bool { return r.name == "slack" })}, nil
}

func (r *recorder) Post(_ context.Context, channelID string, _ chat.Reply) error {
	r.posts = append(r.posts, channelID)
	return nil
}

// adapters builds recorders for both platforms of the configuration and
// keeps what it built.
func adapters(built map[string]*recorder) []platform.Adapter {
	var out []platform.Adapter
	for _, name := range []string{"slack", "discord"} {
		out = append(out, platform.Adapter{Name: name, New: func(*config.Config, platform.Deps) (platform.Platform, error) {
			built[name] = &recorder{name: name}
			return built[name], nil
		}})
	}
	return out
}

func configWith(slack, discord bool) *config.Config {
	cfg := config.Default()
	if slack {
		cfg.Slack.BotToken = "xoxb-1"
	}
	if discord {
		cfg.Discord.BotToken = "discord-token"
	}
	return cfg
}

func TestOpenBuildsTheEnabledPlatformsOnly(t *testing.T) {
	built := map[string]*recorder{}
	reg, err := platform.Open(configWith(false, true), platform.Deps{}, adapters(built)...)
	require.NoError(t, err)
	assert.Equal(t, 1, reg.Len())
	assert.Contains(t, built, "discord")
	assert.NotContains(t, built, "slack", "Slack has no token: nothing is built for it")

	require.NoError(t, reg.Post(context.Background(), "discord", "123", chat.Reply{Summary: "All ready"}))
	assert.Equal(t, []string{"123"}, built["discord"].posts)
	err = reg.Post(context.Background(), "slack", "C1", chat.Reply{Summary: "All ready"})
	assert.EqualError(t, err, "no slack connection to post to channel C1")
}

// TestOpenStartsEachPlatformsUndeliveredCountAtZero: the series exists
// before the first failure, so an alert on its increase sees that failure.
func TestOpenStartsEachPlatformsUndeliveredCountAtZero(t *testing.T) {
	metrics := bot.NewMetrics(prometheus.NewRegistry())
	_, err := platform.Open(configWith(false, true), platform.Deps{Metrics: metrics}, adapters(map[string]*recorder{})...)
	require.NoError(t, err)
	assert.Equal(t, 1, testutil.CollectAndCount(metrics.Undelivered), "the enabled platform only")
	assert.Zero(t, testutil.ToFloat64(metrics.Undelivered.WithLabelValues("discord")))
}

func TestStartStartsEveryPlatformAndGathersTheirChecks(t *testing.T) {
	built := map[string]*recorder{}
	reg, err := platform.Open(configWith(true, true), platform.Deps{}, adapters(built)...)
	require.NoError(t, err)
	mux := http.NewServeMux()
	checks, err := reg.Start(context.Background(), platform.Host{Mux: mux})
	require.NoError(t, err)
	assert.Equal(t, 1, built["slack"].starts)
	assert.Equal(t, 1, built["discord"].starts)
	require.Len(t, checks, 2)
	assert.Equal(t, "slack link", checks[0].Name, "in the configuration's order")
	assert.NoError(t, checks[0].Run(context.Background()))
	assert.EqualError(t, checks[1].Run(context.Background()), "not connected (reconnecting)")
	_, pattern := mux.Handler(httptest.NewRequest(http.MethodGet, "/discord", nil))
	assert.Equal(t, "/discord", pattern, "each platform mounts its endpoints")
}

func TestOpenRefusesARegistryThatDoesNotMatchTheConfiguration(t *testing.T) {
	built := map[string]*recorder{}
	both := adapters(built)
	teams := platform.Adapter{Name: "teams", New: func(*config.Config, platform.Deps) (platform.Platform, error) { return &recorder{name: "teams"}, nil }}
	misnamed := platform.Adapter{Name: "slack", New: func(*config.Config, platform.Deps) (platform.Platform, error) { return &recorder{name: "chat"}, nil }}
	failing := platform.Adapter{Name: "slack", New: func(*config.Config, platform.Deps) (platform.Platform, error) {
		return nil, errors.New("slack: bad URL")
	}}
	for _, tc := range []struct {
		name     string
		adapters []platform.Adapter
		want     string
	}{
		{"a section without adapter", both[:1], "platform: the configuration has a discord section but no adapter serves it"},
		{"an adapter without section", append(both, teams), `platform: adapter "teams" has no section in the configuration`},
		{"two adapters of one name", append(both, both[0]), `platform: two adapters named "slack"`},
		{"a misnamed platform", []platform.Adapter{misnamed, both[1]}, `platform: the slack adapter built a platform named "chat"`},
		{"a platform that cannot be built", []platform.Adapter{failing, both[1]}, "slack: bad URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := platform.Open(configWith(true, false), platform.Deps{}, tc.adapters...)
			assert.EqualError(t, err, tc.want)
		})
	}
}
