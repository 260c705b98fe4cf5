package config

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Ticket defaults.
const (
	// DefaultJiraIssueType is the Jira issue type tickets are filed as.
	DefaultJiraIssueType = "Bug"
	// DefaultGitHubAPIURL is GitHub's REST API.
	DefaultGitHubAPIURL = "https://api.github.com"
	// TicketSpoolSubdir is the spool directory's name under state_dir.
	TicketSpoolSubdir = "ticket-spool"

	maxLabelLen     = 50
	maxIssueTypeLen = 60
	maxProjectLen   = 255
)

// Ticket system names (tickets.system).
const (
	TicketJira    = "jira"
	TicketGitHub  = "github"
	TicketWebhook = "webhook"
)

// Tickets configures where `ticket` (the "Upload bundle to ticket" button)
// files escalation tickets (YAML `tickets:`). Each system is configured by
// its own settings; System picks one when several are.
type Tickets struct {
	// System is jira, github or webhook (TICKET_SYSTEM); default: the only
	// one configured.
	System string `yaml:"system,omitempty" json:"system,omitempty"`

	// JiraURL is the Jira site, e.g. https://example.atlassian.net (JIRA_URL).
	JiraURL string `yaml:"jira_url,omitempty" json:"jira_url,omitempty"`
	// JiraEmail and JiraAPIToken authenticate (JIRA_EMAIL, JIRA_API_TOKEN).
	JiraEmail        string `yaml:"jira_email,omitempty" json:"jira_email,omitempty"`
	JiraAPIToken     Secret `yaml:"jira_api_token,omitempty" json:"jira_api_token,omitempty"`
	JiraAPITokenFile string `yaml:"jira_api_token_file,omitempty" json:"jira_api_token_file,omitempty"`
	// JiraProject is the project key issues go to (JIRA_PROJECT).
	JiraProject string `yaml:"jira_project,omitempty" json:"jira_project,omitempty"`
	// JiraIssueType is the issue type, e.g. Bug or Task (JIRA_ISSUE_TYPE).
	JiraIssueType string `yaml:"jira_issue_type,omitempty" json:"jira_issue_type,omitempty"`

	// GitHubAPIURL is the REST base (GITHUB_API_URL).
	GitHubAPIURL string `yaml:"github_api_url,omitempty" json:"github_api_url,omitempty"`
	// GitHubToken may create issues in GitHubRepo (GITHUB_TOKEN).
	GitHubToken     Secret `yaml:"github_token,omitempty" json:"github_token,omitempty"`
	GitHubTokenFile string `yaml:"github_token_file,omitempty" json:"github_token_file,omitempty"`
	// GitHubRepo is owner/name (GITHUB_REPO).
	GitHubRepo string `yaml:"github_repo,omitempty" json:"github_repo,omitempty"`

	// WebhookURL receives tickets as signed multipart POSTs (TICKET_WEBHOOK_URL).
	WebhookURL string `yaml:"webhook_url,omitempty" json:"webhook_url,omitempty"`
	// WebhookSecret signs them with HMAC-SHA256 (TICKET_WEBHOOK_SECRET).
	WebhookSecret     Secret `yaml:"webhook_secret,omitempty" json:"webhook_secret,omitempty"`
	WebhookSecretFile string `yaml:"webhook_secret_file,omitempty" json:"webhook_secret_file,omitempty"`

	// Labels are added to every ticket.
	Labels []string `yaml:"labels,omitempty" json:"labels,omitempty"`
	// SpoolDir keeps undelivered tickets and their bundles (TICKET_SPOOL_DIR);
	// default state_dir/ticket-spool, else $TMPDIR/caracal-bot-spool.
	SpoolDir string `yaml:"spool_dir,omitempty" json:"spool_dir,omitempty"`
}

// JiraConfigured reports whether Jira is fully configured.
func (t Tickets) JiraConfigured() bool {
	return t.JiraURL != "" && t.JiraEmail != "" && t.JiraAPIToken.IsSet() && t.JiraProject != ""
}

// GitHubConfigured reports whether GitHub Issues is configured: a repo and a
// token. A GITHUB_TOKEN alone (common in shells) does not configure it.
func (t Tickets) GitHubConfigured() bool { return t.GitHubRepo != "" && t.GitHubToken.IsSet() }

// WebhookConfigured reports whether the generic webhook is configured.
func (t Tickets) WebhookConfigured() bool { return t.WebhookURL != "" }

// Configured lists the configured systems: jira, github, webhook.
func (t Tickets) Configured() []string {
	var out []string
	for _, s := range []struct {
		name string
		ok   bool
	}{{TicketJira, t.JiraConfigured()}, {TicketGitHub, t.GitHubConfigured()}, {TicketWebhook, t.WebhookConfigured()}} {
		if s.ok {
			out = append(out, s.name)
		}
	}
	return out
}

// Enabled reports whether any ticket system is configured.
func (t Tickets) Enabled() bool { return len(t.Configured()) > 0 }

// DefaultSystem is System, else the only configured system, else "".
func (t Tickets) DefaultSystem() string {
	if t.System != "" {
		return strings.ToLower(t.System)
	}
	if c := t.Configured(); len(c) == 1 {
		return c[0]
	}
	return ""
}

// TicketSpoolDir is where undelivered tickets wait: tickets.spool_dir, else
// state_dir/ticket-spool, else $TMPDIR/caracal-bot-spool.
func (c *Config) TicketSpoolDir() string {
	switch {
	case c.Tickets.SpoolDir != "":
		return c.Tickets.SpoolDir
	case c.StateDir != "":
		return filepath.Join(c.StateDir, TicketSpoolSubdir)
	}
	return filepath.Join(os.TempDir(), "caracal-bot-spool")
}

func (c *Config) ticketSettings() []setting {
	t := &c.Tickets
	return []setting{
		{path: "tickets.system", env: "TICKET_SYSTEM", ptr: &t.System, norm: strings.ToLower,
			check: optional(oneOf(TicketJira, TicketGitHub, TicketWebhook))},
		{path: "tickets.jira_url", env: "JIRA_URL", ptr: &t.JiraURL, check: optional(checkURL),
			norm: func(s string) string { return strings.TrimRight(s, "/") }},
		{path: "tickets.jira_email", env: "JIRA_EMAIL", ptr: &t.JiraEmail, check: optional(checkEmail)},
		{path: "tickets.jira_api_token", env: "JIRA_API_TOKEN", ptr: &t.JiraAPIToken, file: &t.JiraAPITokenFile, check: checkToken},
		{path: "tickets.jira_project", env: "JIRA_PROJECT", ptr: &t.JiraProject, check: optional(checkJiraProject)},
		{path: "tickets.jira_issue_type", env: "JIRA_ISSUE_TYPE", def: DefaultJiraIssueType, ptr: &t.JiraIssueType, check: checkIssueType},
		urlSetting("tickets.github_api_url", "GITHUB_API_URL", DefaultGitHubAPIURL, &t.GitHubAPIURL),
		{path: "tickets.github_token", env: "GITHUB_TOKEN", ptr: &t.GitHubToken, file: &t.GitHubTokenFile, check: checkToken},
		{path: "tickets.github_repo", env: "GITHUB_REPO", ptr: &t.GitHubRepo, check: optional(checkGitHubRepo)},
		{path: "tickets.webhook_url", env: "TICKET_WEBHOOK_URL", ptr: &t.WebhookURL, check: optional(checkURL)},
		{path: "tickets.webhook_secret", env: "TICKET_WEBHOOK_SECRET", ptr: &t.WebhookSecret, file: &t.WebhookSecretFile, check: checkToken},
		{path: "tickets.spool_dir", env: "TICKET_SPOOL_DIR", ptr: &t.SpoolDir, check: checkStateDir},
	}
}

// checkTickets reports partial configurations by the missing setting, a
// system that is chosen but not configured, and malformed labels.
func (c *Config) checkTickets(add func(path, msg string)) {
	t := c.Tickets
	jira := []struct {
		path string
		set  bool
	}{{"tickets.jira_url", t.JiraURL != ""}, {"tickets.jira_email", t.JiraEmail != ""},
		{"tickets.jira_api_token", t.JiraAPIToken.IsSet()}, {"tickets.jira_project", t.JiraProject != ""}}
	var given []string
	for _, j := range jira {
		if j.set {
			given = append(given, j.path)
		}
	}
	if len(given) > 0 {
		for _, j := range jira {
			if !j.set {
				add(j.path, "is required for Jira tickets ("+strings.Join(given, ", ")+" set)")
			}
		}
	}
	if t.GitHubRepo != "" && !t.GitHubToken.IsSet() {
		add("tickets.github_token", "is required with tickets.github_repo (GITHUB_REPO)")
	}
	// An ambient GITHUB_TOKEN alone does not configure GitHub; one set in
	// the file does, so it needs its repo.
	if t.GitHubToken.IsSet() && t.GitHubRepo == "" && c.origin("tickets.github_token").Source != SourceEnv {
		add("tickets.github_repo", "is required with tickets.github_token: set owner/name")
	}
	if t.WebhookSecret.IsSet() && t.WebhookURL == "" {
		add("tickets.webhook_url", "is required with tickets.webhook_secret (TICKET_WEBHOOK_SECRET)")
	}
	configured := t.Configured()
	switch sys := strings.ToLower(t.System); {
	case sys == "" && len(configured) > 1:
		add("tickets.system", fmt.Sprintf("is required when several ticket systems are configured (%s): pick one", strings.Join(configured, ", ")))
	case oneOf(TicketJira, TicketGitHub, TicketWebhook)(sys) == "" && !slices.Contains(configured, sys):
		add("tickets.system", "is "+sys+", but "+sys+" is not configured: "+ticketNeeds(sys))
	}
	for i, l := range t.Labels {
		if l == "" || len(l) > maxLabelLen || strings.IndexFunc(l, func(r rune) bool { return r <= ' ' || r == ',' || r == 0x7f }) >= 0 {
			add(fmt.Sprintf("tickets.labels[%d]", i), fmt.Sprintf("must be 1 to %d characters without blanks or commas, got %s", maxLabelLen, quote(l)))
		}
	}
}

// ticketNeeds names the settings a system needs.
func ticketNeeds(sys string) string {
	switch sys {
	case TicketJira:
		return "set tickets.jira_url (JIRA_URL), jira_email (JIRA_EMAIL), jira_api_token (JIRA_API_TOKEN) and jira_project (JIRA_PROJECT)"
	case TicketGitHub:
		return "set tickets.github_repo (GITHUB_REPO) and github_token (GITHUB_TOKEN)"
	}
	return "set tickets.webhook_url (TICKET_WEBHOOK_URL)"
}

// optional wraps a check so that "" (unset) passes.
func optional(check func(string) string) func(string) string {
	return func(s string) string {
		if s == "" {
			return ""
		}
		return check(s)
	}
}

// checkEmail accepts one word with an @ between a local part and a domain.
func checkEmail(s string) string {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.ContainsAny(s, " \t\r\n,;<>") || strings.Contains(domain, "@") {
		return "must be the Atlassian account's email address (name@example.com), got " + quote(s)
	}
	return ""
}

// checkJiraProject accepts a Jira project key: an uppercase letter, then
// uppercase letters, digits or underscores.
func checkJiraProject(s string) string {
	ok := len(s) >= 1 && len(s) <= maxProjectLen && s[0] >= 'A' && s[0] <= 'Z'
	for i := 1; ok && i < len(s); i++ {
		b := s[i]
		ok = b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_'
	}
	if ok {
		return ""
	}
	return "must be a Jira project key such as OPS (an uppercase letter, then uppercase letters, digits or _), got " + quote(s)
}

// checkIssueType accepts a Jira issue type name: 1 to 60 printable characters.
func checkIssueType(s string) string {
	if strings.TrimSpace(s) == "" || len([]rune(s)) > maxIssueTypeLen || strings.IndexFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) >= 0 {
		return fmt.Sprintf("must be a Jira issue type name such as Bug or Task (1 to %d characters), got %s", maxIssueTypeLen, quote(s))
	}
	return ""
}

// checkGitHubRepo accepts owner/name as GitHub spells them.
func checkGitHubRepo(s string) string {
	owner, name, ok := strings.Cut(s, "/")
	valid := ok && len(owner) >= 1 && len(owner) <= 39 && len(name) >= 1 && len(name) <= 100 && name != "." && name != ".."
	for i := 0; valid && i < len(owner); i++ {
		b := owner[i]
		valid = b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-'
	}
	for i := 0; valid && i < len(name); i++ {
		b := name[i]
		valid = b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("-_.", b) >= 0
	}
	if valid {
		return ""
	}
	return "must be owner/name, e.g. acme/incidents, got " + quote(s)
}
