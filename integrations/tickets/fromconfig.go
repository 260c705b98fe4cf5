package tickets

import (
	"github.com/caracal-bot/caracal-bot/config"
)

// FromConfig builds the Service of every configured ticket system, the
// spool in cfg.TicketSpoolDir() and the labels of `tickets.labels`. It
// returns ErrNotConfigured when no system is configured.
func FromConfig(cfg *config.Config, co ClientOptions, o Options) (*Service, error) {
	t := cfg.Tickets
	var systems []Ticketer
	if t.JiraConfigured() {
		systems = append(systems, NewJira(JiraConfig{BaseURL: t.JiraURL, Email: t.JiraEmail, APIToken: t.JiraAPIToken.Reveal(),
			Project: t.JiraProject, IssueType: t.JiraIssueType}, co))
	}
	if t.GitHubConfigured() {
		systems = append(systems, NewGitHub(GitHubConfig{APIURL: t.GitHubAPIURL, Token: t.GitHubToken.Reveal(), Repo: t.GitHubRepo}, co))
	}
	if t.WebhookConfigured() {
		systems = append(systems, NewWebhook(WebhookConfig{URL: t.WebhookURL, Secret: t.WebhookSecret.Reveal(), Now: o.Now}, co))
	}
	if len(systems) == 0 {
		return nil, ErrNotConfigured
	}
	o.Labels = mergeLabels(t.Labels, o.Labels)
	if o.Scrubber == nil {
		o.Scrubber = co.Scrubber
	}
	return NewService(systems, t.DefaultSystem(), cfg.TicketSpoolDir(), o)
}
