package slack

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// UserGroups tells which of the user groups named in permission rules a
// user belongs to, caching each group's members so the ack path rarely
// calls Slack (usergroups.users.list, scope usergroups:read).
type UserGroups struct {
	api    *slack.Client
	groups []string
	ttl    time.Duration
	log    *slog.Logger
	now    func() time.Time

	mu    sync.Mutex
	cache map[string]groupMembers
}

type groupMembers struct {
	users   []string
	fetched time.Time
}

// NewUserGroups resolves membership of groups (IDs like S0123) with members
// cached for ttl (default 5m). logger may be nil.
func NewUserGroups(api *slack.Client, groups []string, ttl time.Duration, logger *slog.Logger) *UserGroups {
	if ttl <= 0 {
		ttl = 5 * time.Minute
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &UserGroups{api: api, groups: groups, ttl: ttl, log: logger, now: time.Now, cache: map[string]groupMembers{}}
}

// Of returns the configured groups userID belongs to. A group whose members
// cannot be read counts as not containing the user (the rule then refuses,
// which is the safe side), and the failure is logged.
func (u *UserGroups) Of(ctx context.Context, userID string) []string {
	var out []string
	for _, g := range u.groups {
		if slices.Contains(u.members(ctx, g), userID) {
			out = append(out, g)
		}
	}
	return out
}

func (u *UserGroups) members(ctx context.Context, group string) []string {
	u.mu.Lock()
	entry, ok := u.cache[group]
	u.mu.Unlock()
	if ok && u.now().Sub(entry.fetched) < u.ttl {
		return entry.users
	}
	users, err := u.api.GetUserGroupMembersContext(ctx, group)
	if err != nil {
		u.log.Warn("slack: cannot read user group members; treating the user as not a member", "group", group, "err", err)
		return entry.users
	}
	u.mu.Lock()
	u.cache[group] = groupMembers{users: users, fetched: u.now()}
	u.mu.Unlock()
	return users
}
