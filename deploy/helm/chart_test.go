// Package helm_test checks the chart in caracal-bot/ with Helm itself: lint
// and render with every values file, decode each rendered object strictly
// into its Kubernetes API type, and check what the chart promises. It needs
// the helm binary named by $HELM (`make chart-test` builds Helm and runs it);
// without it the tests that run Helm are skipped.
package helm_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

// chartDir is the chart under test.
const chartDir = "caracal-bot"

// release is what one render made, each object decoded into its type; nil
// when the render made none of that kind.
type release struct {
	Deployment     *appsv1.Deployment
	Service        *corev1.Service
	ConfigMap      *corev1.ConfigMap
	ServiceAccount *corev1.ServiceAccount
	PDB            *policyv1.PodDisruptionBudget
	NetworkPolicy  *networkingv1.NetworkPolicy
	ServiceMonitor *monitoringv1.ServiceMonitor
	PrometheusRule *monitoringv1.PrometheusRule
}

// slot returns where an object of apiVersion and kind goes, nil for a kind
// the chart is not meant to render (a Secret above all).
func (r *release) slot(apiVersion, kind string) any {
	return map[string]any{
		"apps/v1 Deployment":                      &r.Deployment,
		"v1 Service":                              &r.Service,
		"v1 ConfigMap":                            &r.ConfigMap,
		"v1 ServiceAccount":                       &r.ServiceAccount,
		"policy/v1 PodDisruptionBudget":           &r.PDB,
		"networking.k8s.io/v1 NetworkPolicy":      &r.NetworkPolicy,
		"monitoring.coreos.com/v1 ServiceMonitor": &r.ServiceMonitor,
		"monitoring.coreos.com/v1 PrometheusRule": &r.PrometheusRule,
	}[apiVersion+" "+kind]
}

// helmBinary returns $HELM, skipping the test when it is unset.
func helmBinary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("HELM")
	if bin == "" {
		t.Skip("HELM is not set: `make chart-test` builds Helm and runs these tests")
	}
	return bin
}

// helm runs Helm with its own empty home, so that nothing of the machine's
// Helm setup counts, and returns its standard output.
func helm(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(helmBinary(t), args...)
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+home+"/cache", "HELM_CONFIG_HOME="+home+"/config", "HELM_DATA_HOME="+home+"/data")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), &helmError{err: err, stderr: stderr.String()}
	}
	return string(out), nil
}

// helmError is a failed Helm run with what it said.
type helmError struct {
	err    error
	stderr string
}

func (e *helmError) Error() string { return e.err.Error() + ": " + e.stderr }

// valuesFiles returns "" (the chart's defaults alone) and every file of ci/.
func valuesFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(chartDir, "ci", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	return append([]string{""}, files...)
}

// valuesArgs are Helm's arguments for a values file ("" for none) and
// --set assignments.
func valuesArgs(file string, sets ...string) []string {
	var args []string
	if file != "" {
		args = append(args, "-f", file)
	}
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	return args
}

// documentSeparator splits a multi-document YAML stream.
var documentSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

// render renders the chart and decodes every object strictly: a field
// its type does not have fails the test.
func render(t *testing.T, file string, sets ...string) *release {
	t.Helper()
	out, err := helm(t, append([]string{"template", "caracal-bot", chartDir, "--namespace", "caracal"}, valuesArgs(file, sets...)...)...)
	require.NoError(t, err)
	r := &release{}
	for _, doc := range documentSeparator.Split(out, -1) {
		var head struct{ APIVersion, Kind string }
		require.NoError(t, yaml.Unmarshal([]byte(doc), &head))
		if head.Kind == "" {
			continue // only comments
		}
		slot := r.slot(head.APIVersion, head.Kind)
		require.NotNil(t, slot, "the chart renders %s %s, which it is not meant to", head.APIVersion, head.Kind)
		require.True(t, reflect.ValueOf(slot).Elem().IsNil(), "the chart renders two of %s", head.Kind)
		require.NoError(t, yaml.UnmarshalStrict([]byte(doc), slot), "%s %s", head.Kind, doc)
	}
	return r
}
