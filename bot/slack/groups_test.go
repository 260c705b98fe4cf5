package slack_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	slackbot "github.com/caracal-bot/caracal-bot/bot/slack"
	"github.com/caracal-bot/caracal-bot/bot/slack/slackfake"
)

func TestUserGroupsResolvesAndCachesMembership(t *testing.T) {
	fake := slackfake.Start(t, slackfake.WithUserGroup("S0ONCALL", "U1", "U2"), slackfake.WithUserGroup("S0LEADS", "U3"))
	groups := slackbot.NewUserGroups(fake.Client("xoxb-test"), []string{"S0ONCALL", "S0LEADS", "S0GONE"}, 0, nil)
	ctx := context.Background()
	assert.Equal(t, []string{"S0ONCALL"}, groups.Of(ctx, "U1"))
	assert.Equal(t, []string{"S0LEADS"}, groups.Of(ctx, "U3"))
	assert.Empty(t, groups.Of(ctx, "U9"))
	calls := fake.Calls("usergroups.users.list")
	groups.Of(ctx, "U2")
	assert.LessOrEqual(t, fake.Calls("usergroups.users.list"), calls+1, "members are cached; only the unreadable group is asked again")
}
