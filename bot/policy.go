package bot

import (
	"fmt"
	"slices"
)

// Policy says who may run what where. The zero Policy allows everything.
type Policy struct {
	// Channels is the allowlist of channel IDs; empty allows every channel.
	// Terminal invocations (no channel) are always allowed.
	Channels []string
	// Commands restricts commands to users or groups, e.g. bundle and
	// ticket to the on-call group; a command without a rule is open.
	Commands map[string]Rule
}

// Rule lists the users and groups (Slack user groups, Discord roles) allowed
// to run a command.
type Rule struct {
	Users  []string
	Groups []string
}

// Authorize returns nil when req may run, else a user-facing reason.
func (p Policy) Authorize(req Request) error {
	inv := req.Invocation
	if inv.ChannelID != "" && len(p.Channels) > 0 && !slices.Contains(p.Channels, inv.ChannelID) {
		return fmt.Errorf("caracal-bot is not enabled in this channel; ask an admin to add it to the bot's channel allowlist")
	}
	rule, ok := p.Commands[inv.Command]
	if !ok {
		return nil
	}
	if slices.Contains(rule.Users, inv.UserID) {
		return nil
	}
	for _, g := range req.Groups {
		if slices.Contains(rule.Groups, g) {
			return nil
		}
	}
	return fmt.Errorf("you are not allowed to run %s here; it is limited to %s", inv.Command, rule.describe())
}

func (r Rule) describe() string {
	switch {
	case len(r.Groups) > 0 && len(r.Users) > 0:
		return fmt.Sprintf("%d group(s) and %d user(s)", len(r.Groups), len(r.Users))
	case len(r.Groups) > 0:
		return "members of its allowed groups (e.g. on-call)"
	case len(r.Users) > 0:
		return "its allowed users"
	}
	return "nobody"
}

// Restricted reports whether a command has a rule, so adapters can hide
// buttons from users who may not use them.
func (p Policy) Restricted(command string) bool {
	_, ok := p.Commands[command]
	return ok
}
