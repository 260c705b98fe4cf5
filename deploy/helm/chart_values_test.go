package helm_test

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestChartLintsRendersAndHoldsItsPromisesWithEveryValuesFile: `helm lint
// --strict` passes, the render decodes strictly, the pod is hardened and
// probed, the configuration is one the bot accepts, credentials come only
// from Secrets, and the optional objects keep to the bot's ports.
func TestChartLintsRendersAndHoldsItsPromisesWithEveryValuesFile(t *testing.T) {
	for _, file := range valuesFiles(t) {
		name := file
		if name == "" {
			name = "defaults"
		}
		t.Run(name, func(t *testing.T) {
			_, err := helm(t, append([]string{"lint", "--strict", chartDir}, valuesArgs(file)...)...)
			require.NoError(t, err)
			r := render(t, file)
			require.NotNil(t, r.Deployment)
			require.NotNil(t, r.Service)
			require.NotNil(t, r.ConfigMap)
			checkHardening(t, r)
			checkProbesAndPorts(t, r)
			checkCredentials(t, r)
			checkConfigAccepted(t, r)
			checkReplicas(t, r)
			checkNetworkPolicy(t, r)
			checkMonitoring(t, r)
		})
	}
}

func TestChartDefaultsRenderNoOptionalObject(t *testing.T) {
	r := render(t, "")
	assert.Nil(t, r.PDB, "one replica without Redis")
	assert.Nil(t, r.NetworkPolicy)
	assert.Nil(t, r.ServiceMonitor)
	assert.Nil(t, r.PrometheusRule)
	assert.Equal(t, int32(1), *r.Deployment.Spec.Replicas)
}

// TestChartCIValuesCoverEveryMode: ci/ holds Socket Mode and HTTP mode,
// with and without Redis, and several replicas on Redis.
func TestChartCIValuesCoverEveryMode(t *testing.T) {
	seen := map[string]bool{}
	for _, file := range valuesFiles(t)[1:] {
		r := render(t, file)
		env := containerEnv(r)
		mode := "http"
		if env.has("SLACK_APP_TOKEN") {
			mode = "socket"
		}
		seen[mode+" redis="+boolWord(env.has("REDIS_URL"))] = true
		if *r.Deployment.Spec.Replicas >= 2 && env.has("REDIS_URL") {
			seen["replicas on redis"] = true
		}
	}
	for _, want := range []string{"socket redis=no", "socket redis=yes", "http redis=no", "http redis=yes", "replicas on redis"} {
		assert.True(t, seen[want], "no values file in ci/ for %s", want)
	}
}

// TestChartRefusesWhatTheBotCannotDo: wrong values stop the render with a
// message naming what is wrong.
func TestChartRefusesWhatTheBotCannotDo(t *testing.T) {
	cases := map[string]string{
		"replicaCount=2":                    "more than one replica needs Redis: set redis.existingSecret",
		"replicaCount=two":                  "replicaCount",
		"unknownTopLevelKey=1":              "unknownTopLevelKey",
		"config.caracal.admin_token=secret": "admin_token",
		"config.slack.signing_secret=s":     "signing_secret",
		"config.redis_url=redis://r:6379":   "redis_url",
		"config.listen_addr=:1":             "listen_addr",
		"credentials={NOT_A_CREDENTIAL}":    "credentials",
		"credentialsAs=plain":               "credentialsAs",
		"terminationGracePeriodSeconds=10":  "terminationGracePeriodSeconds",
		"ops.port=8787":                     "ops.port must differ from service.port",
	}
	for set, want := range cases {
		t.Run(set, func(t *testing.T) {
			_, err := helm(t, append([]string{"template", "caracal-bot", chartDir}, valuesArgs("", set)...)...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), want)
		})
	}
}

func boolWord(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// TestChartValuesAreEachCommentedAndInTheSchema: every top-level value of
// values.yaml has a comment above it, and values.yaml and the schema name
// the same top-level values.
func TestChartValuesAreEachCommentedAndInTheSchema(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(chartDir, "values.yaml"))
	require.NoError(t, err)
	topLevel := regexp.MustCompile(`^([A-Za-z]\w*):`)
	var keys []string
	previous := ""
	for _, line := range strings.Split(string(raw), "\n") {
		if m := topLevel.FindStringSubmatch(line); m != nil {
			keys = append(keys, m[1])
			assert.True(t, strings.HasPrefix(previous, "#"), "values.yaml: %s has no comment above it", m[1])
		}
		if strings.TrimSpace(line) != "" {
			previous = line
		}
	}
	var schema struct{ Properties map[string]any }
	schemaRaw, err := os.ReadFile(filepath.Join(chartDir, "values.schema.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(schemaRaw, &schema))
	assert.ElementsMatch(t, keys, slices.Collect(maps.Keys(schema.Properties)))
}
