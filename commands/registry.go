// Package commands holds the bot's command grammar and registry: one file per
// command, each returning a chat.Reply for the channel and structured data
// for `--format json`. The same commands serve the CLI, the terminal demo
// and the chat adapters.
package commands

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/collect"
	"github.com/caracal-bot/caracal-bot/doctor"
	"github.com/caracal-bot/caracal-bot/integrations/caracal"
	"github.com/caracal-bot/caracal-bot/integrations/tickets"
	"github.com/caracal-bot/caracal-bot/redact"
)

// Env is what commands need from the outside world.
type Env struct {
	Caracal     collect.Source
	DefaultZone string
	DocsBase    string
	Timeout     time.Duration
	CallTimeout time.Duration
	Now         func() time.Time
	// ZonesForChannel returns the zones a chat channel may read, its
	// default first, and whether it is bound to them; an unbound channel
	// reads every zone the token sees (nil: no channel is bound).
	ZonesForChannel func(channelID string) (zones []string, bound bool)
	// BotHealth feeds the digest's bot-health section (nil = left out).
	BotHealth BotHealth
	// Tickets files the tickets of `ticket` (nil = tickets not configured).
	Tickets *tickets.Service
	// Scrubber removes secrets from bundles and ticket texts (default: one
	// that knows the shapes of secrets but no configured value).
	Scrubber *redact.Scrubber
	// ReadBudget bounds the bytes all of one command's Caracal reads may
	// total (0 = caracal.DefaultReadBudget).
	ReadBudget int64
	// Version is the bot's version, as `caracal-bot version` prints it;
	// bundle manifests carry it (default "dev").
	Version string

	// bound and zones are set per invocation from a bound channel (see
	// forChannel): the command may read those zones and no other.
	bound bool
	zones []string
}

// Result is a command's answer: the chat reply, the data `--format json`
// prints, and whether the checked thing is healthy (status/doctor exit code).
type Result struct {
	Reply chat.Reply
	Data  any
	OK    bool
	// SaveAs is the path the command line writes the reply's one file to
	// (bundle --out); "" leaves the file its own name.
	SaveAs string
}

// Command is one entry of the registry.
type Command struct {
	Name    string
	Summary string
	Usage   string
	flags   []flagSpec
	// pastes marks a command that takes pasted text: only its own flags
	// are flags, and args.text keeps the text whole.
	pastes bool
	run    func(ctx context.Context, env *Env, inv chat.Invocation, a args) (Result, error)
}

// Help renders the command's usage and flags.
func (c *Command) Help() string {
	h := fmt.Sprintf("%s\n\nUsage: %s\n", c.Summary, c.Usage)
	if len(c.flags) > 0 {
		h += "\nFlags:\n"
		for _, f := range c.Flags() {
			h += fmt.Sprintf("  %s\t%s\n", strings.TrimSpace("--"+f.Name+" "+f.Arg), f.Usage)
		}
	}
	return h
}

// Flag describes one flag of a command, for help texts.
type Flag struct {
	Name  string // without dashes
	Arg   string // what its value is, e.g. ZONE; "" for a switch
	Usage string
}

// Flags lists the command's flags in the order its help shows them.
func (c *Command) Flags() []Flag {
	out := make([]Flag, len(c.flags))
	for i, f := range c.flags {
		out[i] = Flag{Name: f.name, Usage: f.usage}
		if f.takes {
			out[i].Arg = strings.ToUpper(f.name)
		}
	}
	return out
}

// Registry resolves command names and runs them.
type Registry struct {
	env  *Env
	cmds map[string]*Command
}

// New builds the registry of every command.
func New(env Env) *Registry {
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Scrubber == nil {
		env.Scrubber = redact.New()
	}
	if env.Version == "" {
		env.Version = "dev"
	}
	r := &Registry{env: &env, cmds: map[string]*Command{}}
	for _, c := range []*Command{whyCommand(), statusCommand(), doctorCommand(), traceCommand(), auditCommand(), digestCommand(), bundleCommand(), ticketCommand(), causesCommand(), helpCommand(r)} {
		if _, dup := r.cmds[c.Name]; dup {
			panic("commands: duplicate command " + c.Name)
		}
		r.cmds[c.Name] = c
	}
	return r
}

// Names lists the command names, sorted.
func (r *Registry) Names() []string {
	out := make([]string, 0, len(r.cmds))
	for n := range r.cmds {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Lookup returns a command by name.
func (r *Registry) Lookup(name string) (*Command, bool) {
	c, ok := r.cmds[name]
	return c, ok
}

// Run parses the invocation's text for the named command and runs it.
func (r *Registry) Run(ctx context.Context, inv chat.Invocation) (Result, error) {
	c, ok := r.cmds[inv.Command]
	if !ok {
		return Result{}, r.unknown(inv.Command)
	}
	text, toks := tokenize(inv)
	a, err := parseArgs(c.flags, text, toks, inv.Platform == PlatformCLI, c.pastes)
	if err != nil {
		return Result{}, usageErrorf("%s (usage: %s)", err, c.Usage)
	}
	if a.has("help") {
		return Result{Reply: chat.Reply{Summary: c.Usage, Severity: chat.SeverityInfo, Ephemeral: true,
			Sections: []chat.Section{{Title: c.Name, Text: c.Help()}}}, Data: map[string]string{"usage": c.Usage}, OK: true}, nil
	}
	return c.run(r.env.withReadBudget(ctx), r.env.forChannel(inv.ChannelID), inv, a)
}

// Handle runs an invocation and always returns a reply: errors become
// ephemeral replies that say what went wrong and what was expected.
func (r *Registry) Handle(ctx context.Context, inv chat.Invocation) chat.Reply {
	res, err := r.Run(ctx, inv)
	if err != nil {
		return ErrorReply(err)
	}
	return res.Reply
}

// ErrorReply renders a command error for the user who ran the command.
func ErrorReply(err error) chat.Reply {
	return chat.Reply{Summary: err.Error(), Severity: chat.SeverityError, Ephemeral: true}
}

func (r *Registry) unknown(name string) error {
	if name == "" {
		return usageErrorf("no command given; try: %s", strings.Join(r.Names(), ", "))
	}
	if best := Closest(name, r.Names()); best != "" {
		return usageErrorf("unknown command %q; did you mean %q? (try help)", clip(name, 32), best)
	}
	return usageErrorf("unknown command %q; commands: %s", clip(name, 32), strings.Join(r.Names(), ", "))
}

// Closest returns the candidate within edit distance 2 of name, if any:
// the command a mistyped name most likely meant.
func Closest(name string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := editDistance(name, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// forChannel returns the environment a command from channelID runs in:
// from a bound channel, the channel's first zone is the default and its
// zones are the only ones read. Every chat entry point (slash command,
// button, mention) runs its command through Run and so through here. Other
// channels and the CLI keep env.
func (env *Env) forChannel(channelID string) *Env {
	if env.ZonesForChannel == nil || channelID == "" {
		return env
	}
	zones, bound := env.ZonesForChannel(channelID)
	if !bound {
		return env
	}
	scoped := *env
	scoped.bound, scoped.zones, scoped.DefaultZone = true, zones, ""
	if len(zones) > 0 {
		scoped.DefaultZone = zones[0]
	}
	return &scoped
}

// zoneFor picks the zone: the --zone flag (see askedZone), else the default.
func (env *Env) zoneFor(a args) (string, error) {
	if z, err := env.askedZone(a); z != "" || err != nil {
		return z, err
	}
	return env.DefaultZone, nil
}

// askedZone returns the --zone flag, "" when absent. A --zone that cannot
// be a Caracal id is a usage error; from a bound channel, a zone outside
// its zones is refused before anything is read, in the same words whether
// or not Caracal has that zone.
func (env *Env) askedZone(a args) (string, error) {
	z, ok := a.flags["zone"]
	switch {
	case !ok:
		return "", nil
	case !validZoneID(z):
		return "", usageErrorf("--zone must be a Caracal zone id (letters, digits, _ . - :, at most 128), got %q", clip(z, 40))
	case env.bound && !slices.Contains(env.zones, z):
		return "", usageErrorf("--zone %q: this channel may read only zone(s) %s", clip(z, 40), strings.Join(env.zones, ", "))
	}
	return z, nil
}

// allowedZones are the zones a command may read, nil for every zone.
func (env *Env) allowedZones() []string {
	if !env.bound {
		return nil
	}
	return append([]string{}, env.zones...)
}

// validZoneID reports whether s matches Caracal's path id rule ^[A-Za-z0-9_.\-:]{1,128}$.
func validZoneID(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-' || r == ':') {
			return false
		}
	}
	return true
}

// zoneMustExist turns an unknown zone into a usage error: Caracal answers
// lists of unknown zones with nothing, not 404, and Doctor and the digest
// would report it as a failed check. Only a 404 says the zone is unknown.
func (env *Env) zoneMustExist(ctx context.Context, zone string) error {
	ctx, cancel := context.WithTimeout(ctx, env.timeout())
	defer cancel()
	_, err := env.Caracal.Zone(ctx, zone)
	if caracal.HasCode(err, 404, "zone_not_found") {
		return unknownZone(zone)
	}
	return nil
}

func unknownZone(zone string) error {
	return usageErrorf("unknown zone %q: no such zone in Caracal (check --zone or CARACAL_ZONE_ID)", clip(zone, 64))
}

// withReadBudget gives one command its read budget: every command runs
// under one, through Run or Digest.
func (env *Env) withReadBudget(ctx context.Context) context.Context {
	n := env.ReadBudget
	if n <= 0 {
		n = caracal.DefaultReadBudget
	}
	return caracal.WithReadBudget(ctx, n)
}

// channelScope is the field saying that a reply covers only the zones of
// a bound channel; none for other channels.
func (env *Env) channelScope() []chat.Field {
	if !env.bound {
		return nil
	}
	return []chat.Field{{Label: "Scope", Value: "only the zones this channel may read: " + strings.Join(env.zones, ", ")}}
}

// timeout bounds one command's calls to Caracal.
func (env *Env) timeout() time.Duration {
	if env.Timeout > 0 {
		return env.Timeout
	}
	return 15 * time.Second
}

// settings are what every gathering of a command shares.
func (env *Env) settings() collect.Settings {
	return collect.Settings{DefaultZone: env.DefaultZone, AllowedZones: env.allowedZones(),
		Timeout: env.Timeout, CallTimeout: env.CallTimeout, Now: env.Now}
}

func (env *Env) collector() *collect.Collector {
	return &collect.Collector{Readers: collect.ReadersOf(env.Caracal), Settings: env.settings()}
}

func (env *Env) doctor() *doctor.Doctor {
	return &doctor.Doctor{Source: env.Caracal, Settings: env.settings()}
}

// commonFlags every command accepts.
func withHelp(specs ...flagSpec) []flagSpec {
	return append(specs, flagSpec{name: "help", usage: "show this command's usage"})
}

func zoneFlag() flagSpec {
	return flagSpec{name: "zone", takes: true, usage: "zone ID (default: the channel's zone, else CARACAL_ZONE_ID)", example: "019f1ce8-1680-793b-b480-86d4734b60a7"}
}
