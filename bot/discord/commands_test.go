package discord

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot/discord/discordfake"
)

func TestCommand_Definition(t *testing.T) {
	c := Command(Access{MemberPermissions: 2048})
	assert.Equal(t, "caracal", c.Name)
	types := map[string]map[string]discordgo.ApplicationCommandOptionType{}
	for _, sub := range c.Options {
		require.Equal(t, discordgo.ApplicationCommandOptionSubCommand, sub.Type, sub.Name)
		assert.NotEmpty(t, sub.Description, sub.Name)
		types[sub.Name] = map[string]discordgo.ApplicationCommandOptionType{}
		for _, o := range sub.Options {
			assert.NotEmpty(t, o.Description, sub.Name+" "+o.Name)
			assert.LessOrEqual(t, len(o.Description), 100)
			types[sub.Name][o.Name] = o.Type
		}
	}
	S, I, B := discordgo.ApplicationCommandOptionString, discordgo.ApplicationCommandOptionInteger, discordgo.ApplicationCommandOptionBoolean
	assert.Equal(t, map[string]map[string]discordgo.ApplicationCommandOptionType{
		"why":    {"request_id": S, "zone": S, "status": I, "error": S, "symptom": S},
		"status": {},
		"causes": {},
		"doctor": {"zone": S, "all_zones": B, "strict": B},
		"trace":  {"request_id": S, "zone": S},
		"audit":  {"decision": S, "since": S, "application": S, "limit": I, "zone": S},
		"bundle": {"request_id": S, "zone": S},
		"digest": {"zone": S, "since": S},
		"help":   {"command": S},
	}, types)

	why := subcommandOptions("why")
	assert.True(t, why[0].Required, "request_id is required")
	assert.Equal(t, 100.0, *why[2].MinValue)
	assert.Equal(t, 599.0, why[2].MaxValue)
	assert.Equal(t, []string{"no-audit", "revoked"}, choiceValues(why[4]))
	audit := subcommandOptions("audit")
	assert.Equal(t, []string{"allow", "deny"}, choiceValues(audit[0]))
	assert.Equal(t, 1.0, *audit[3].MinValue)
	assert.Equal(t, 1000.0, audit[3].MaxValue)
	assert.Contains(t, choiceValues(subcommandOptions("help")[0]), "bundle")
}

func choiceValues(o *discordgo.ApplicationCommandOption) []string {
	var out []string
	for _, c := range o.Choices {
		out = append(out, c.Value.(string))
	}
	return out
}

func subOpt(name string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionSubCommand, Options: opts}
}

func TestInvocationText(t *testing.T) {
	tests := []struct {
		name    string
		sub     *discordgo.ApplicationCommandInteractionDataOption
		command string
		text    string
	}{
		{"why with every option, in any order", subOpt("why", str("symptom", "no-audit"), str("error", "access_denied"),
			num("status", 403), str("zone", "Z"), str("request_id", "req-1")),
			"why", "req-1 --zone Z --status 403 --error access_denied --symptom no-audit"},
		{"why with pasted text", subOpt("why", str("request_id", ` {"error":"access_denied", "request_id":"r-2"} `)),
			"why", `{"error":"access_denied", "request_id":"r-2"}`},
		{"status", subOpt("status"), "status", ""},
		{"doctor flags", subOpt("doctor", boolean("strict", true), boolean("all_zones", true)), "doctor", "--all-zones --strict"},
		{"false booleans are left out", subOpt("doctor", str("zone", "z1"), boolean("all_zones", false), boolean("strict", false)), "doctor", "--zone z1"},
		{"trace", subOpt("trace", str("request_id", "r1"), str("zone", "z")), "trace", "r1 --zone z"},
		{"audit", subOpt("audit", str("decision", "deny"), str("since", "7d"), str("application", "app-1"), num("limit", 50), str("zone", "z")),
			"audit", "--decision deny --since 7d --application app-1 --limit 50 --zone z"},
		{"bundle", subOpt("bundle", str("request_id", "r1")), "bundle", "r1"},
		{"help", subOpt("help", str("command", "why")), "help", "why"},
		{"help alone", subOpt("help"), "help", ""},
		{"a request ID that looks like a flag goes after --", subOpt("trace", str("request_id", "--zone evil"), str("zone", "z")),
			"trace", "--zone z -- --zone evil"},
		{"pasted text keeps its spacing, a pasted flag goes after --", subOpt("why", str("request_id", "curl  -i --header 'X: y'\thttp://gw"), num("status", 403)),
			"why", "--status 403 -- curl  -i --header 'X: y'\thttp://gw"},
		{"white space inside a flag value keeps it one word", subOpt("why", str("request_id", "r"), str("zone", " my zone\t")),
			"why", "r --zone my␣zone"},
		{"a flag value that looks like a flag stays the value", subOpt("why", str("request_id", "r"), str("error", "--strict")),
			"why", "r --error --strict"},
		{"empty values are left out", subOpt("audit", str("since", "  "), str("decision", "")), "audit", ""},
		{"unknown options and odd types are dropped", subOpt("why", str("request_id", "r"), str("evil", "x"),
			&discordgo.ApplicationCommandInteractionDataOption{Name: "status", Type: discordgo.ApplicationCommandOptionInteger, Value: map[string]any{}}),
			"why", "r"},
		{"integers print without exponent", subOpt("audit", num("limit", 1000)), "audit", "--limit 1000"},
		{"an unknown subcommand keeps its name for the registry to refuse", subOpt("ticket", str("request_id", "r")), "ticket", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			command, text := invocationText(tt.sub)
			assert.Equal(t, tt.command, command)
			assert.Equal(t, tt.text, text)
		})
	}
	command, text := invocationText(nil)
	assert.Empty(t, command+text)
}

// parseLike splits text like the commands registry does (strings.Fields,
// flags that take a value consume the next word, "--" ends the flags).
func parseLike(text string, takes map[string]bool) (flags map[string]string, rest []string) {
	flags = map[string]string{}
	toks := strings.Fields(text)
	for i := 0; i < len(toks); i++ {
		tok := toks[i]
		if tok == "--" {
			return flags, append(rest, toks[i+1:]...)
		}
		name, ok := strings.CutPrefix(tok, "--")
		if !ok || name == "" {
			rest = append(rest, tok)
			continue
		}
		if takes[name] && i+1 < len(toks) {
			i++
			flags[name] = toks[i]
		} else {
			flags[name] = "true"
		}
	}
	return flags, rest
}

func FuzzOptionsToText(f *testing.F) {
	f.Add("req-1", "zone-a", "access_denied", 403.0, true)
	f.Add("--zone x", "a b", "--", 0.5, false)
	f.Add("", "\u00a0", "x\u2028y", -1e300, true)
	f.Fuzz(func(t *testing.T, requestID, zone, code string, status float64, strict bool) {
		why := subOpt("why", str("request_id", requestID), str("zone", zone), str("error", code), num("status", status))
		command, text := invocationText(why)
		require.Equal(t, "why", command)
		flags, rest := parseLike(text, map[string]bool{"zone": true, "status": true, "error": true, "symptom": true})
		// The typed options come back exactly, each in its own slot.
		assert.Equal(t, nilIfEmpty(strings.Fields(requestID)), nilIfEmpty(rest), "text %q", text)
		assert.Equal(t, oneWord(zone), flags["zone"], "text %q", text)
		assert.Equal(t, oneWord(code), flags["error"], "text %q", text)
		assert.NotContains(t, flags, "strict")
		assert.NotContains(t, flags, "symptom")

		_, text = invocationText(subOpt("doctor", str("zone", zone), boolean("strict", strict)))
		flags, rest = parseLike(text, map[string]bool{"zone": true})
		assert.Empty(t, rest, "text %q", text)
		assert.Equal(t, strict, flags["strict"] == "true")
	})
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func TestRegister(t *testing.T) {
	srv := discordfake.Start(t)
	s, err := NewSession(discordfake.DefaultBotToken, srv.URL(), nil)
	require.NoError(t, err)
	access := Access{MemberPermissions: 2048}
	want := Command(access)

	require.NoError(t, Register(t.Context(), s, srv.AppID(), nil, access))
	sets := srv.Commands()
	require.Len(t, sets, 1)
	assert.Equal(t, "", sets[0].GuildID, "global without guilds")
	require.Len(t, sets[0].Commands, 2, "/caracal and the message command, in one overwrite")
	got := sets[0].Commands[0]
	assert.Equal(t, want.Name, got.Name)
	assert.Equal(t, want.Description, got.Description)
	assert.Equal(t, want.Options, got.Options, "every subcommand, option type, range and choice arrives")
	assertAccess(t, sets[0], "2048", discordgo.InteractionContextGuild)
	assertMessageCommand(t, sets[0], `"2048"`, `[0]`)

	require.NoError(t, Register(t.Context(), s, srv.AppID(), []string{"G1", "G2"}, access))
	sets = srv.Commands()
	require.Len(t, sets, 3)
	for i, g := range []string{"", "G1", "G2"} {
		assert.Equal(t, g, sets[i].GuildID)
		require.Len(t, sets[i].Commands, 2)
		assert.Equal(t, want.Options, sets[i].Commands[0].Options)
		assertAccess(t, sets[i], "2048", discordgo.InteractionContextGuild)
		assertMessageCommand(t, sets[i], `"2048"`, `[0]`)
	}

	err = Register(t.Context(), s, "someone-else", nil, access)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "globally")
	require.Error(t, Register(t.Context(), s, "", nil, access))
}

// assertMessageCommand checks, on the wire, the message command of a bulk
// overwrite: exactly the name, type 3 and where and to whom it is offered
// (as /caracal is), with no description and no options, which Discord
// refuses on it.
func assertMessageCommand(t *testing.T, set discordfake.CommandSet, perms, contexts string) {
	t.Helper()
	var sent []json.RawMessage
	require.NoError(t, json.Unmarshal(set.Payload, &sent))
	require.Len(t, sent, 2)
	assert.JSONEq(t, `{"name":"Diagnose with Caracal","type":3,"default_member_permissions":`+perms+
		`,"contexts":`+contexts+`,"integration_types":[0]}`, string(sent[1]))
}

func TestRegister_Access(t *testing.T) {
	srv := discordfake.Start(t)
	s, err := NewSession(discordfake.DefaultBotToken, srv.URL(), nil)
	require.NoError(t, err)

	require.NoError(t, Register(t.Context(), s, srv.AppID(), []string{"G1"}, Access{AllowDMs: true, MemberPermissions: 8}))
	assertAccess(t, srv.Commands()[0], "8", discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM)
	assertMessageCommand(t, srv.Commands()[0], `"8"`, `[0,1]`)

	// 0 (administrators only) is sent, not left out as empty.
	require.NoError(t, Register(t.Context(), s, srv.AppID(), []string{"G1"}, Access{}))
	assertAccess(t, srv.Commands()[0], "0", discordgo.InteractionContextGuild)
	assertMessageCommand(t, srv.Commands()[0], `"0"`, `[0]`)
}

// assertAccess checks what a bulk overwrite said about where each command
// may be used and by whom, on the wire: the contexts, the
// default_member_permissions bitfield (a string, as Discord wants it) and
// a guild install only (a user install would escape both).
func assertAccess(t *testing.T, set discordfake.CommandSet, perms string, contexts ...discordgo.InteractionContextType) {
	t.Helper()
	var sent []struct {
		Contexts                 []discordgo.InteractionContextType `json:"contexts"`
		DefaultMemberPermissions *string                            `json:"default_member_permissions"`
		IntegrationTypes         []int                              `json:"integration_types"`
	}
	require.NoError(t, json.Unmarshal(set.Payload, &sent))
	require.NotEmpty(t, sent)
	for _, c := range sent {
		assert.Equal(t, contexts, c.Contexts)
		require.NotNil(t, c.DefaultMemberPermissions, "default_member_permissions is sent")
		assert.Equal(t, perms, *c.DefaultMemberPermissions)
		assert.Equal(t, []int{0}, c.IntegrationTypes)
	}
}

// TestCommand_DiscordRules checks the rules Discord enforces on a command
// definition, beyond those the fake checks.
func TestCommand_DiscordRules(t *testing.T) {
	name := func(s string) bool {
		if len(s) < 1 || len(s) > 32 {
			return false
		}
		for _, r := range s {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
				return false
			}
		}
		return true
	}
	c := Command(Access{})
	assert.True(t, name(c.Name))
	assert.LessOrEqual(t, len(c.Options), 25)
	for _, sub := range c.Options {
		assert.True(t, name(sub.Name), sub.Name)
		assert.True(t, len(sub.Description) >= 1 && len(sub.Description) <= 100, sub.Name)
		optional := false
		for _, o := range sub.Options {
			assert.True(t, name(o.Name), o.Name)
			assert.True(t, len(o.Description) >= 1 && len(o.Description) <= 100, o.Name)
			assert.LessOrEqual(t, len(o.Choices), 25)
			if o.Required {
				assert.False(t, optional, "%s: required options come first", sub.Name)
			} else {
				optional = true
			}
		}
	}
}
