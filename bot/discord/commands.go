package discord

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/bwmarrin/discordgo"

	"github.com/caracal-bot/caracal-bot/chat"
)

// CommandName is the bot's chat command; every bot command is one of its
// subcommands (/caracal why, /caracal status, ...).
const CommandName = "caracal"

// MessageCommandName is the bot's message command, in the Apps menu of
// every message: it diagnoses the message (see chat.DiagnoseMessage).
const MessageCommandName = chat.DiagnoseLabel

// isPositional reports whether an option is a positional argument of the
// command grammar rather than a --flag: "why <request-id>", "help [command]".
func isPositional(name string) bool { return name == "request_id" || name == "command" }

// whitespaceMark replaces white space inside a flag value so the value stays
// one word of the command line (the grammar splits on white space); no flag
// accepts it, so the command answers a usage error that shows the value.
const whitespaceMark = "\u2423" // ␣

func ptr[T any](v T) *T { return &v }

func strOpt(name, desc string, required bool, choices ...string) *discordgo.ApplicationCommandOption {
	o := &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: name, Description: desc, Required: required}
	for _, c := range choices {
		o.Choices = append(o.Choices, &discordgo.ApplicationCommandOptionChoice{Name: c, Value: c})
	}
	return o
}

func intOpt(name, desc string, lo, hi float64) *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionInteger, Name: name, Description: desc, MinValue: ptr(lo), MaxValue: hi}
}

func boolOpt(name, desc string) *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionBoolean, Name: name, Description: desc}
}

func zoneOpt() *discordgo.ApplicationCommandOption {
	return strOpt("zone", "Caracal zone ID (default: the channel's zone)", false)
}

func requestIDOpt() *discordgo.ApplicationCommandOption {
	o := strOpt("request_id", "Request ID, or the pasted error text", true)
	o.MaxLength = 2000
	return o
}

func subcommand(name, desc string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: name, Description: desc, Options: opts}
}

// Access is where and to whom Discord offers the bot's commands.
type Access struct {
	// AllowDMs offers them in DMs with the bot too, not only in servers.
	AllowDMs bool
	// MemberPermissions is the permission bitfield a member needs to see
	// and use it (default_member_permissions) until a server admin changes
	// that under Server Settings → Integrations; 0 limits it to
	// administrators.
	MemberPermissions int64
}

// Commands are the application commands the bot registers, in one bulk
// overwrite: /caracal and the Diagnose with Caracal message command.
func Commands(a Access) []*discordgo.ApplicationCommand {
	return []*discordgo.ApplicationCommand{Command(a), MessageCommand(a)}
}

// offered sets where and to whom Discord offers c: as a guild install in
// servers (and DMs with the bot when a.AllowDMs) to members with
// a.MemberPermissions.
func (a Access) offered(c *discordgo.ApplicationCommand) *discordgo.ApplicationCommand {
	contexts := []discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	if a.AllowDMs {
		contexts = append(contexts, discordgo.InteractionContextBotDM)
	}
	c.DefaultMemberPermissions = ptr(a.MemberPermissions)
	c.Contexts = &contexts
	c.IntegrationTypes = &[]discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall}
	return c
}

// MessageCommand is the Diagnose with Caracal message command (type 3),
// offered where and to whom /caracal is. As Discord wants it, it has no
// description and no options: Discord would refuse the whole overwrite,
// /caracal included. Its interaction carries the message it was used on,
// content included, which needs no privileged intent.
func MessageCommand(a Access) *discordgo.ApplicationCommand {
	return a.offered(&discordgo.ApplicationCommand{Name: MessageCommandName, Type: discordgo.MessageApplicationCommand})
}

// Command is the /caracal application command with one subcommand per bot
// command and typed options for their flags, offered where and to whom a
// says. It needs no privileged intent: the bot never reads the channel's
// messages.
func Command(a Access) *discordgo.ApplicationCommand {
	return a.offered(&discordgo.ApplicationCommand{
		Name:        CommandName,
		Type:        discordgo.ChatApplicationCommand,
		Description: "Diagnose Caracal authorization failures",
		Options: []*discordgo.ApplicationCommandOption{
			subcommand("why", "Explain why a protected call failed",
				requestIDOpt(), zoneOpt(),
				intOpt("status", "HTTP status the caller saw", 100, 599),
				strOpt("error", "Error code the caller saw, e.g. access_denied", false),
				strOpt("symptom", "What went wrong when the call itself worked", false, "no-audit", "revoked")),
			subcommand("status", "Readiness of the Caracal services"),
			subcommand("doctor", "Check the bot's access and a zone's configuration",
				zoneOpt(), boolOpt("all_zones", "Check every zone the bot can see"), boolOpt("strict", "Warnings fail too")),
			subcommand("trace", "Show the audit trace of a request", requestIDOpt(), zoneOpt()),
			subcommand("audit", "Recent authorization decisions",
				strOpt("decision", "Only allow or only deny", false, "allow", "deny"),
				strOpt("since", "How far back, e.g. 30m, 24h, 7d (default 24h)", false),
				strOpt("application", "Application ID", false),
				intOpt("limit", "Rows to show (default 20)", 1, 1000),
				zoneOpt()),
			subcommand("bundle", "Build a diagnostic bundle for a request", requestIDOpt(), zoneOpt()),
			subcommand("digest", "Caracal's health digest: readiness, warnings, denials against the previous window",
				zoneOpt(), strOpt("since", "Window, e.g. 24h (default 24h)", false)),
			subcommand("causes", "Every cause a diagnosis can conclude, by ROUTER.md row"),
			subcommand("help", "List the commands, or explain one",
				strOpt("command", "The command to explain", false, "why", "status", "doctor", "trace", "audit", "bundle", "digest", "causes", "help")),
		},
	})
}

// Register installs the bot's commands (Commands(a), each sent as a
// commandBody) with a bulk overwrite, which replaces whatever commands the
// application had: per guild when guildIDs are given (changes show at
// once), else globally.
func Register(ctx context.Context, s *discordgo.Session, appID string, guildIDs []string, a Access) error {
	if appID == "" {
		return fmt.Errorf("discord: register commands: no application ID")
	}
	var cmds []commandBody
	for _, c := range Commands(a) {
		cmds = append(cmds, commandBodyOf(c))
	}
	targets := guildIDs
	if len(targets) == 0 {
		targets = []string{""}
	}
	for _, g := range targets {
		url := discordgo.EndpointApplicationGlobalCommands(appID)
		if g != "" {
			url = discordgo.EndpointApplicationGuildCommands(appID, g)
		}
		if err := request(s, http.MethodPut, url, url, cmds, nil, nil, discordgo.WithContext(ctx)); err != nil {
			where := "globally"
			if g != "" {
				where = "in guild " + g
			}
			return fmt.Errorf("discord: register commands %s: %w", where, err)
		}
	}
	return nil
}

// invocationText turns a subcommand and its typed options back into the
// command grammar, so the same commands registry parses and runs it: why
// with request_id R, zone Z and status 403 becomes ("why", "R --zone Z
// --status 403"). Flags follow the order of the definition; a false boolean
// is left out; unknown options and values of unexpected types are dropped.
// Positional text is passed as typed (only trimmed); when a word of it
// looks like a flag it goes after a "--" separator, so it is never read as
// one.
func invocationText(sub *discordgo.ApplicationCommandInteractionDataOption) (command, text string) {
	if sub == nil {
		return "", ""
	}
	var positional, flags []string
	for _, def := range subcommandOptions(sub.Name) {
		o := findOption(sub.Options, def.Name)
		if o == nil {
			continue
		}
		v, ok := optionValue(o.Value)
		if !ok {
			continue
		}
		if isPositional(def.Name) {
			if v = strings.TrimSpace(v); v != "" {
				positional = append(positional, v)
			}
			continue
		}
		flag := "--" + strings.ReplaceAll(def.Name, "_", "-")
		if def.Type == discordgo.ApplicationCommandOptionBoolean {
			if v == "true" {
				flags = append(flags, flag)
			}
			continue
		}
		if w := oneWord(v); w != "" {
			flags = append(flags, flag, w)
		}
	}
	for _, p := range positional {
		for _, w := range strings.Fields(p) {
			if strings.HasPrefix(w, "--") {
				return sub.Name, strings.Join(append(append(flags, "--"), positional...), " ")
			}
		}
	}
	return sub.Name, strings.Join(append(positional, flags...), " ")
}

// subcommandOptions are the options the definition gives a subcommand.
func subcommandOptions(name string) []*discordgo.ApplicationCommandOption {
	for _, sub := range Command(Access{}).Options {
		if sub.Name == name {
			return sub.Options
		}
	}
	return nil
}

func findOption(opts []*discordgo.ApplicationCommandInteractionDataOption, name string) *discordgo.ApplicationCommandInteractionDataOption {
	for _, o := range opts {
		if o != nil && o.Name == name {
			return o
		}
	}
	return nil
}

// optionValue formats a decoded option value: strings as they are, numbers
// without exponent (integers as integers), booleans as true/false.
func optionValue(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

// oneWord trims v and marks the white space inside it (see whitespaceMark).
func oneWord(v string) string {
	return strings.Join(strings.FieldsFunc(v, unicode.IsSpace), whitespaceMark)
}
