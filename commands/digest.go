package commands

import (
	"context"
	"time"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/digest"
	"github.com/caracal-bot/caracal-bot/health"
)

// Digest windows.
const (
	defaultDigestWindow = digest.DefaultWindow
	maxDigestWindow     = 7 * 24 * time.Hour
)

// BotHealth reports the bot's own health for the digest. The composition
// root provides it (e.g. from bot.Metrics); a nil BotHealth leaves the
// section out.
type BotHealth interface {
	BotHealth() BotHealthReport
}

// BotHealthReport is the bot's own health since it started.
type BotHealthReport struct {
	// Started is when the bot started; the digest shows the uptime.
	Started time.Time `json:"started"`
	// Reconnects counts chat platform reconnections (all platforms).
	Reconnects int `json:"reconnects"`
	// FailedDeliveries counts replies given up on after retrying.
	FailedDeliveries int `json:"failed_deliveries"`
	// Commands counts the commands run, by name.
	Commands map[string]int `json:"commands,omitempty"`
}

// DigestOptions selects what a digest covers. The digest command builds it
// from its flags; the scheduler builds it for each scheduled run.
type DigestOptions struct {
	// Zones are the zones covered; empty means the default zone.
	Zones []string
	// Since is the window (default 24h, at most 7 days).
	Since time.Duration
	// Notes are shown first in the thread and counted in the headline,
	// e.g. the scheduler's missed runs.
	Notes []string
	// Post marks a digest meant for the configured digest channels (--post).
	Post bool
	// Until ends the window; zero is now. The scheduler ends it at the
	// run's fire time.
	Until time.Time
	// Denials, when set, are running aggregates the digest counts the whole
	// hours they cover from (digest.Options.Denials). Only serve's
	// scheduler sets them; the digest command reads the audit log.
	Denials digest.DenialSource
}

// DigestReport is the digest's data (`digest --format json`): the digest
// package's report plus the headline, the notes and the bot's health.
type DigestReport struct {
	digest.Report
	Headline  string           `json:"headline"`
	Notes     []string         `json:"notes,omitempty"`
	BotHealth *BotHealthReport `json:"bot_health,omitempty"`
	// Post is set by --post: the caller delivers the digest to the
	// configured digest channels (see the command's help).
	Post bool `json:"post"`
}

func digestCommand() *Command {
	return &Command{
		Name: "digest",
		Summary: "A short health digest of Caracal: readiness, Doctor warnings, denials by cause against the previous window, " +
			"approval holds, policy propagation and the bot's own health. With --post, `caracal-bot serve` and the CLI " +
			"also deliver it to the channels of the configured digest schedules, as a scheduled run would.",
		Usage: "digest [--zone Z] [--since 24h] [--post]",
		flags: withHelp(zoneFlag(),
			flagSpec{name: "since", takes: true, usage: "the window, e.g. 12h, 24h, 7d (default 24h, at most 7d); the previous window of the same length is compared", example: "24h"},
			flagSpec{name: "post", usage: "deliver the digest to the configured digest channels too (done by the caller; JSON shows post: true)"}),
		run: func(ctx context.Context, env *Env, _ chat.Invocation, a args) (Result, error) {
			if len(a.rest) > 0 {
				return Result{}, usageErrorf("digest takes only flags (usage: digest [--zone Z] [--since 24h] [--post])")
			}
			since, err := a.duration("since", defaultDigestWindow, maxDigestWindow)
			if err != nil {
				return Result{}, err
			}
			zones, err := env.digestZones(a)
			if err == nil && a.has("zone") {
				err = env.zoneMustExist(ctx, zones[0])
			}
			if err != nil {
				return Result{}, err
			}
			res, err := env.digest(ctx, DigestOptions{Zones: zones, Since: since, Post: a.has("post")})
			if err != nil {
				return Result{}, err
			}
			res.Reply.Fields = append(res.Reply.Fields, env.channelScope()...)
			return res, nil
		},
	}
}

// digestZones are the zones the digest command covers: the --zone flag,
// else every zone of a bound channel, else the default zone (none: the
// digest refuses).
func (env *Env) digestZones(a args) ([]string, error) {
	zone, err := env.askedZone(a)
	switch {
	case err != nil:
		return nil, err
	case zone != "":
		return []string{zone}, nil
	case env.bound:
		return env.allowedZones(), nil
	case env.DefaultZone != "":
		return []string{env.DefaultZone}, nil
	}
	return nil, nil
}

// Digest builds the digest for the scheduler (or any caller that is not a
// chat command). It fails only on bad options; when Caracal cannot be
// reached the reply says so and names what is missing.
func (r *Registry) Digest(ctx context.Context, opts DigestOptions) (Result, error) {
	return r.env.digest(r.env.withReadBudget(ctx), opts)
}

func (env *Env) digest(ctx context.Context, opts DigestOptions) (Result, error) {
	if opts.Since == 0 {
		opts.Since = defaultDigestWindow
	}
	if opts.Since < 0 || opts.Since > maxDigestWindow {
		return Result{}, usageErrorf("the digest window must be positive and at most %s, got %s", maxDigestWindow, opts.Since)
	}
	for _, z := range opts.Zones {
		if !validZoneID(z) {
			return Result{}, usageErrorf("zone must be a Caracal zone id (letters, digits, _ . - :, at most 128), got %q", clip(z, 40))
		}
	}
	if len(opts.Zones) == 0 && env.DefaultZone == "" {
		return Result{}, usageErrorf("digest needs a zone: pass --zone or set CARACAL_ZONE_ID")
	}
	rep := DigestReport{
		Report: digest.Gather(ctx, env.doctor(), digest.Options{Zones: opts.Zones, Window: opts.Since, Applications: env.Caracal,
			Overviews: env.overviews(), Until: opts.Until, Denials: opts.Denials}),
		Notes: opts.Notes,
		Post:  opts.Post,
	}
	if env.BotHealth != nil {
		h := env.BotHealth.BotHealth()
		rep.BotHealth = &h
	}
	reply := digestReply(&rep, env.Now())
	return Result{Reply: reply, Data: rep, OK: rep.healthy()}, nil
}

// overviews is the zone overview read of the Caracal client, nil when the
// client has none (a test's fake).
func (env *Env) overviews() digest.OverviewReader {
	ov, _ := env.Caracal.(digest.OverviewReader)
	return ov
}

// healthy reports whether the digest found nothing failing: every service
// ready, no Doctor failure and nothing missing.
func (rep *DigestReport) healthy() bool {
	return rep.Readiness.Ready() && countFindings(rep.Findings, health.CheckFail) == 0 && len(rep.Missing) == 0
}

func countFindings(checks []health.Check, status string) int {
	n := 0
	for _, c := range checks {
		if c.Status == status {
			n++
		}
	}
	return n
}
