package helm_test

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/caracal-bot/caracal-bot/config"
)

// container returns the pod's one container.
func container(t *testing.T, r *release) corev1.Container {
	t.Helper()
	require.Len(t, r.Deployment.Spec.Template.Spec.Containers, 1)
	return r.Deployment.Spec.Template.Spec.Containers[0]
}

// envVars is a container's environment by name.
type envVars map[string]corev1.EnvVar

func containerEnv(r *release) envVars {
	env := envVars{}
	for _, e := range r.Deployment.Spec.Template.Spec.Containers[0].Env {
		env[e.Name] = e
	}
	return env
}

func (e envVars) has(name string) bool {
	_, plain := e[name]
	_, file := e[name+"_FILE"]
	return plain || file
}

// checkHardening: non-root, read-only root file system, no privilege
// escalation, no capabilities, RuntimeDefault seccomp, no service account
// token, requests and a memory limit, and an explicit grace period of 30 s
// or more (the bot drains for 20 s).
func checkHardening(t *testing.T, r *release) {
	pod := r.Deployment.Spec.Template.Spec
	c := container(t, r)
	require.NotNil(t, pod.SecurityContext)
	assert.Equal(t, "true", flag(pod.SecurityContext.RunAsNonRoot), "runAsNonRoot")
	require.NotNil(t, pod.SecurityContext.RunAsUser)
	assert.NotZero(t, *pod.SecurityContext.RunAsUser)
	require.NotNil(t, pod.SecurityContext.SeccompProfile)
	assert.Equal(t, corev1.SeccompProfileTypeRuntimeDefault, pod.SecurityContext.SeccompProfile.Type)
	assert.Equal(t, "false", flag(pod.AutomountServiceAccountToken), "automountServiceAccountToken")
	require.NotNil(t, c.SecurityContext)
	assert.Equal(t, "false", flag(c.SecurityContext.AllowPrivilegeEscalation), "allowPrivilegeEscalation")
	assert.Equal(t, "true", flag(c.SecurityContext.ReadOnlyRootFilesystem), "readOnlyRootFilesystem")
	assert.NotEqual(t, "true", flag(c.SecurityContext.Privileged), "privileged")
	require.NotNil(t, c.SecurityContext.Capabilities)
	assert.Equal(t, []corev1.Capability{"ALL"}, c.SecurityContext.Capabilities.Drop)
	assert.Empty(t, c.SecurityContext.Capabilities.Add)
	assert.False(t, c.Resources.Requests.Cpu().IsZero(), "a CPU request")
	assert.False(t, c.Resources.Requests.Memory().IsZero(), "a memory request")
	assert.False(t, c.Resources.Limits.Memory().IsZero(), "a memory limit")
	require.NotNil(t, pod.TerminationGracePeriodSeconds, "set explicitly")
	assert.GreaterOrEqual(t, *pod.TerminationGracePeriodSeconds, int64(30))
}

// flag spells a Kubernetes optional bool: true, false or unset.
func flag(b *bool) string {
	if b == nil {
		return "unset"
	}
	return strconv.FormatBool(*b)
}

// checkProbesAndPorts: liveness on /healthz and readiness on /readyz, on a
// port of the container, which is the ops port when there is one; the
// Service serves every container port.
func checkProbesAndPorts(t *testing.T, r *release) {
	c := container(t, r)
	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	opsPort := "http"
	if containerEnv(r).has("BOT_OPS_LISTEN_ADDR") {
		opsPort = "ops"
	}
	for probe, path := range map[*corev1.Probe]string{c.LivenessProbe: "/healthz", c.ReadinessProbe: "/readyz"} {
		require.NotNil(t, probe, path)
		require.NotNil(t, probe.HTTPGet, path)
		assert.Equal(t, path, probe.HTTPGet.Path)
		assert.Equal(t, intstr.FromString(opsPort), probe.HTTPGet.Port, path)
	}
	require.Contains(t, ports, opsPort)
	served := map[string]bool{}
	for _, p := range r.Service.Spec.Ports {
		assert.Contains(t, ports, p.TargetPort.String(), "the Service targets a container port")
		served[p.TargetPort.String()] = true
	}
	for name := range ports {
		assert.True(t, served[name], "the Service serves port %s", name)
	}
}

// checkCredentials: no Secret is rendered (render refuses the kind), and
// every credential comes from one: a secretKeyRef, or a *_FILE naming a
// file of the read-only Secret volume.
func checkCredentials(t *testing.T, r *release) {
	c := container(t, r)
	mounts := map[string]corev1.VolumeMount{}
	for _, m := range c.VolumeMounts {
		mounts[m.Name] = m
	}
	secretFiles := map[string]bool{}
	for _, v := range r.Deployment.Spec.Template.Spec.Volumes {
		if v.Secret == nil {
			continue
		}
		m, ok := mounts[v.Name]
		require.True(t, ok, "secret volume %s is mounted", v.Name)
		assert.True(t, m.ReadOnly, "secret volume %s is read-only", v.Name)
		for _, item := range v.Secret.Items {
			secretFiles[filepath.Join(m.MountPath, item.Path)] = true
		}
	}
	for _, e := range c.Env {
		name := strings.TrimSuffix(e.Name, "_FILE")
		switch {
		case credential(name) && name != e.Name:
			assert.True(t, secretFiles[e.Value], "%s names a file of the Secret volume, got %q", e.Name, e.Value)
		case credential(name) || e.Name == "REDIS_URL":
			require.NotNil(t, e.ValueFrom, "%s comes from a Secret", e.Name)
			assert.NotNil(t, e.ValueFrom.SecretKeyRef, "%s comes from a Secret", e.Name)
		}
	}
}

// credential reports whether name is a variable the chart passes a
// credential in (values.schema.json's credentials).
func credential(name string) bool { return slices.Contains(credentialNames(), name) }

// credentialNames are the keys values.schema.json allows in credentials.
func credentialNames() []string {
	raw, err := os.ReadFile(filepath.Join(chartDir, "values.schema.json"))
	if err != nil {
		panic(err)
	}
	var schema struct {
		Properties struct {
			Credentials struct {
				Items struct{ Enum []string }
			}
		}
	}
	if err := yaml.Unmarshal(raw, &schema); err != nil {
		panic(err)
	}
	return schema.Properties.Credentials.Items.Enum
}

// checkConfigAccepted: the ConfigMap's configuration, with the container's
// environment (credentials stood in for), is one `caracal-bot config check`
// accepts, and it is what --config reads.
func checkConfigAccepted(t *testing.T, r *release) {
	c := container(t, r)
	require.Equal(t, []string{"serve", "--config", "/etc/caracal-bot/config.yaml"}, c.Args)
	var mounted bool
	for _, v := range r.Deployment.Spec.Template.Spec.Volumes {
		if v.ConfigMap != nil && v.ConfigMap.Name == r.ConfigMap.Name {
			mounted = slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool {
				return m.Name == v.Name && m.MountPath == "/etc/caracal-bot" && m.ReadOnly
			})
		}
	}
	assert.True(t, mounted, "the ConfigMap is mounted read-only at /etc/caracal-bot")
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yaml")
	require.Contains(t, r.ConfigMap.Data, "config.yaml")
	require.NoError(t, os.WriteFile(file, []byte(r.ConfigMap.Data["config.yaml"]), 0o600))
	env := map[string]string{}
	for _, e := range c.Env {
		switch {
		case e.Name == "REDIS_URL":
			env[e.Name] = "redis://caracal-bot-redis:6379/0"
		case e.ValueFrom != nil:
			env[e.Name] = "stand-in-" + strings.ToLower(e.Name)
		case strings.HasSuffix(e.Name, "_FILE"):
			env[e.Name] = filepath.Join(dir, e.Name)
			require.NoError(t, os.WriteFile(env[e.Name], []byte("stand-in-"+strings.ToLower(e.Name)+"\n"), 0o600))
		default:
			env[e.Name] = e.Value
		}
	}
	_, err := config.Load(file, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	require.NoError(t, err, "caracal-bot config check would refuse:\n%s", r.ConfigMap.Data["config.yaml"])
}

// checkReplicas: several replicas only with Redis, and with Redis a
// PodDisruptionBudget that always lets one pod go.
func checkReplicas(t *testing.T, r *release) {
	redis := containerEnv(r).has("REDIS_URL")
	if *r.Deployment.Spec.Replicas > 1 {
		assert.True(t, redis, "several replicas share Redis")
	}
	if !redis {
		assert.Nil(t, r.PDB)
		return
	}
	require.NotNil(t, r.PDB)
	one := intstr.FromInt32(1)
	assert.Equal(t, &one, r.PDB.Spec.MaxUnavailable)
	assert.Nil(t, r.PDB.Spec.MinAvailable)
	assert.Equal(t, r.Deployment.Spec.Selector, r.PDB.Spec.Selector)
}

// checkNetworkPolicy: ingress only to the bot's own ports; no egress rule
// without destinations (which would allow them all).
func checkNetworkPolicy(t *testing.T, r *release) {
	np := r.NetworkPolicy
	if np == nil {
		return
	}
	ports := map[string]bool{}
	for _, p := range container(t, r).Ports {
		ports[p.Name] = true
	}
	assert.Equal(t, *r.Deployment.Spec.Selector, np.Spec.PodSelector)
	require.NotEmpty(t, np.Spec.Ingress)
	for _, rule := range np.Spec.Ingress {
		require.NotEmpty(t, rule.Ports, "an ingress rule without ports opens every port")
		for _, p := range rule.Ports {
			require.NotNil(t, p.Port)
			assert.True(t, ports[p.Port.String()], "ingress opens %s, not a port of the bot", p.Port.String())
		}
	}
	require.NotEmpty(t, np.Spec.Egress)
	for _, rule := range np.Spec.Egress {
		assert.NotEmpty(t, rule.To, "an egress rule without destinations allows every destination")
		assert.NotEmpty(t, rule.Ports)
	}
}

// checkMonitoring: the ServiceMonitor scrapes a port of the Service, and
// the PrometheusRule holds the four alerts.
func checkMonitoring(t *testing.T, r *release) {
	if sm := r.ServiceMonitor; sm != nil {
		require.Len(t, sm.Spec.Endpoints, 1)
		assert.Equal(t, "/metrics", sm.Spec.Endpoints[0].Path)
		assert.True(t, slices.ContainsFunc(r.Service.Spec.Ports, func(p corev1.ServicePort) bool { return p.Name == sm.Spec.Endpoints[0].Port }))
		assert.Equal(t, r.Deployment.Spec.Selector.MatchLabels, sm.Spec.Selector.MatchLabels)
	}
	if pr := r.PrometheusRule; pr != nil {
		var alerts []string
		for _, g := range pr.Spec.Groups {
			for _, rule := range g.Rules {
				alerts = append(alerts, rule.Alert)
			}
		}
		assert.ElementsMatch(t, []string{"CaracalBotRepliesUndelivered", "CaracalBotPlatformDisconnected",
			"CaracalBotCaracalUnreachable", "CaracalBotDigestMissing"}, alerts)
	}
}

// TestChartCredentialsAreTheBotsTokenFiles: every key values.schema.json
// allows in credentials is a token the bot reads from <KEY>_FILE.
func TestChartCredentialsAreTheBotsTokenFiles(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{
		"DISCORD_APP_ID": "123456789012345678", "TICKET_SYSTEM": "jira", "JIRA_URL": "https://acme.atlassian.net",
		"JIRA_EMAIL": "oncall@example.com", "JIRA_PROJECT": "OPS", "GITHUB_REPO": "acme/ops",
		"TICKET_WEBHOOK_URL": "https://hooks.example.com/caracal",
	}
	names := credentialNames()
	require.NotEmpty(t, names)
	for _, name := range names {
		env[name+"_FILE"] = filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(env[name+"_FILE"], []byte("token-of-"+strings.ToLower(name)), 0o600))
	}
	cfg, err := config.Load("", func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	require.NoError(t, err)
	for _, name := range names {
		assert.Contains(t, cfg.Secrets(), "token-of-"+strings.ToLower(name), "%s_FILE is not a token file the bot reads", name)
	}
}
