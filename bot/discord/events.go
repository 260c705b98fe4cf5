package discord

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/discord/discordapi"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/chat"
)

// Messages answered without dispatching.
const (
	UnknownButton = "This button is not handled by caracal-bot any more; run the command again."
	NoUser        = "caracal-bot cannot tell who ran this; try again from a server channel or a DM with the bot."
	// NotThisServer answers an interaction from a guild that is not
	// configured (InboundOptions.Guilds).
	NotThisServer = "caracal-bot is not enabled in this server."
	// NoDMs answers an interaction from a DM unless InboundOptions.AllowDMs.
	NoDMs = "caracal-bot does not answer in direct messages; use it in a server channel."
)

const buttonDedupFor = 5 * time.Second

// ResponderFactory delivers replies on Discord; *Poster satisfies it.
type ResponderFactory interface {
	Responder(t Target) bot.Responder
}

// reaction is the answer to one interaction: the interaction response the
// transport sends (the HTTP body, or the gateway's callback) and the Acked
// channel of the request's Target, closed by sent once it went out.
type reaction struct {
	// resp is nil for an interaction the bot does not handle.
	resp *callback
	// redelivery marks an interaction seen before: its response already
	// went out, so the gateway sends nothing, while HTTP (which must answer
	// every request) repeats the deferral, which is idempotent.
	redelivery bool
	acked      chan struct{}
	once       *sync.Once
}

// sent closes the Acked channel; call it after the response went out (or
// failed to: a Responder must not wait forever).
func (r reaction) sent() {
	if r.acked != nil {
		r.once.Do(func() { close(r.acked) })
	}
}

// inbound maps interactions to dispatcher requests; HTTP and the gateway
// share it.
type inbound struct {
	*platform.Receiver
	guilds     []string // none: every guild
	allowDMs   bool
	responders ResponderFactory
	appID      string
	buttons    platform.ButtonStore
}

func newInbound(opts InboundOptions) *inbound {
	buttons := opts.Buttons
	if buttons == nil {
		buttons = platform.NewMemoryButtons(platform.MemoryOptions{})
	}
	return &inbound{Receiver: platform.NewReceiver(Name, opts.Inbound), responders: opts.Responders,
		appID: opts.AppID, guilds: opts.Guilds, allowDMs: opts.AllowDMs, buttons: buttons}
}

// handle maps one interaction. Interactions without an id or token (which
// cannot be answered) and types the bot does not use (autocomplete, modals)
// get no response; commands and buttons from a place the bot does not
// serve get a refusal (see refusal). parentID is the channel of the thread
// the interaction was sent from ("" outside threads, see threadParent):
// the command runs as that channel's (permissions, zones), while its reply
// goes to the thread.
func (in *inbound) handle(ctx context.Context, i *discordgo.Interaction, parentID string) reaction {
	if i == nil {
		return reaction{}
	}
	if i.Type == discordgo.InteractionPing {
		return reaction{resp: &callback{Type: discordgo.InteractionResponsePong}}
	}
	if i.ID == "" || i.Token == "" {
		in.Logger.Warn("discord: interaction without id or token ignored", "type", int(i.Type))
		return reaction{}
	}
	if i.Type == discordgo.InteractionApplicationCommand || i.Type == discordgo.InteractionMessageComponent {
		if msg := in.refusal(i); msg != "" {
			return reaction{resp: ephemeral(msg)}
		}
	}
	switch d := i.Data.(type) {
	case discordgo.ApplicationCommandInteractionData:
		if i.Type == discordgo.InteractionApplicationCommand {
			return in.command(ctx, i, parentID, &d)
		}
	case *discordgo.ApplicationCommandInteractionData:
		if i.Type == discordgo.InteractionApplicationCommand && d != nil {
			return in.command(ctx, i, parentID, d)
		}
	case discordgo.MessageComponentInteractionData:
		if i.Type == discordgo.InteractionMessageComponent {
			return in.component(ctx, i, parentID, &d)
		}
	case *discordgo.MessageComponentInteractionData:
		if i.Type == discordgo.InteractionMessageComponent && d != nil {
			return in.component(ctx, i, parentID, d)
		}
	}
	in.Logger.Debug("discord: interaction ignored", "id", i.ID, "type", int(i.Type))
	return reaction{}
}

// command maps /caracal <subcommand> [options], and the Diagnose with
// Caracal message command (see messageCommand).
func (in *inbound) command(ctx context.Context, i *discordgo.Interaction, parentID string, d *discordgo.ApplicationCommandInteractionData) reaction {
	if d.CommandType == discordgo.MessageApplicationCommand && d.Name == MessageCommandName {
		return in.messageCommand(ctx, i, parentID, d)
	}
	if d.Name != CommandName || len(d.Options) == 0 || d.Options[0] == nil ||
		d.Options[0].Type != discordgo.ApplicationCommandOptionSubCommand {
		return reaction{resp: ephemeral(chat.Usage)}
	}
	command, text := invocationText(d.Options[0])
	return in.dispatch(ctx, i, parentID, chat.Invocation{Command: command, Text: text})
}

// dispatch submits inv, what application command i asks for, as i's user
// in i's channel (the thread's parent for a command sent from a thread, so
// its permissions and zones apply), and answers i: deferred when accepted
// or redelivered, the dispatcher's refusal otherwise. Its reply edits the
// deferral (see Poster.Deliver).
func (in *inbound) dispatch(ctx context.Context, i *discordgo.Interaction, parentID string, inv chat.Invocation) reaction {
	userID, userName, roles := invoker(i)
	if userID == "" || i.ChannelID == "" {
		return reaction{resp: ephemeral(NoUser)}
	}
	inv.Platform, inv.UserID, inv.UserName, inv.ChannelID, inv.TriggeredAt = Name, userID, userName, cmp.Or(parentID, i.ChannelID), in.Now()
	r := in.reaction()
	t := in.target(i, userID, r.acked)
	out := in.Submit(ctx, bot.Request{Invocation: inv, DedupKey: "discord:interaction:" + i.ID, Groups: roles,
		Responder: in.responders.Responder(t)})
	switch out.Status {
	case bot.Accepted:
		r.resp = &callback{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}
	case bot.Duplicate:
		r.resp = &callback{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}
		r.redelivery = true
	default:
		r.resp = ephemeral(cmp.Or(out.Ack, "caracal-bot cannot run this now; try again later."))
	}
	return r
}

// component maps a button under a diagnosis: Re-run and Show trace are
// dispatched (and acknowledged with a silent deferred update), Upload
// bundle to ticket is answered at once. A button that carries the token of
// a kept value runs with that value; an unknown or expired token is
// answered ExpiredButton.
func (in *inbound) component(ctx context.Context, i *discordgo.Interaction, parentID string, d *discordgo.MessageComponentInteractionData) reaction {
	userID, userName, roles := invoker(i)
	if userID == "" || i.ChannelID == "" {
		return reaction{resp: ephemeral(NoUser)}
	}
	if i.Message == nil || i.Message.ID == "" {
		return reaction{resp: ephemeral(UnknownButton)}
	}
	msgID := i.Message.ID
	action, value, kept := ParseButtonID(d.CustomID)
	r := in.reaction()
	click, refusal := in.Click(action)
	if click.Command == "" {
		r.resp = ephemeral(cmp.Or(refusal, UnknownButton))
		return r
	}
	if kept {
		var answer string
		if value, answer = in.keptValue(ctx, value, i.Message); answer != "" {
			r.resp = ephemeral(answer)
			return r
		}
	}
	t := in.target(i, userID, r.acked)
	t.MessageID, t.Replace = msgID, click.Replace
	inv := chat.Invocation{Platform: Name, Command: click.Command, Text: value, UserID: userID, UserName: userName,
		ChannelID: cmp.Or(parentID, i.ChannelID), ThreadID: msgID, TriggeredAt: in.Now()}
	out := in.Submit(ctx, bot.Request{Invocation: inv, DedupKey: "discord:button:" + msgID + ":" + d.CustomID + ":" + userID,
		DedupFor: buttonDedupFor, Groups: roles, Responder: in.responders.Responder(t)})
	switch out.Status {
	case bot.Accepted, bot.Duplicate:
		// A double click is a new interaction: it needs its own (silent) answer.
		r.resp = &callback{Type: discordgo.InteractionResponseDeferredMessageUpdate}
	default:
		r.resp = ephemeral(cmp.Or(out.Ack, "caracal-bot cannot run this now; try again later."))
	}
	return r
}

// refusal is the answer to an interaction from a place the bot does not
// serve, or "" when it serves it: a DM only with AllowDMs, a guild only
// among Guilds when those are set. It is checked before anything is
// mapped, so a refused interaction sees no data and nothing is dispatched.
func (in *inbound) refusal(i *discordgo.Interaction) string {
	msg := ""
	switch {
	case i.GuildID == "" && !in.allowDMs:
		msg = NoDMs
	case i.GuildID != "" && len(in.guilds) > 0 && !slices.Contains(in.guilds, i.GuildID):
		msg = NotThisServer
	default:
		return ""
	}
	in.Logger.Info("discord: interaction refused", "id", i.ID, "guild", i.GuildID, "channel", i.ChannelID, "reason", msg)
	return msg
}

// decodeInteraction reads an interaction payload; a payload that makes
// discordgo's decoder panic is an error like any unreadable one.
func decodeInteraction(b []byte) (i *discordgo.Interaction, err error) {
	defer func() {
		if r := recover(); r != nil {
			i, err = nil, errors.New("discord: unreadable interaction payload")
		}
	}()
	i = new(discordgo.Interaction)
	if err := json.Unmarshal(b, i); err != nil {
		return nil, errors.New("discord: unreadable interaction payload")
	}
	return i, nil
}

// reaction starts the answer to an interaction that may be dispatched.
func (in *inbound) reaction() reaction {
	return reaction{acked: make(chan struct{}), once: new(sync.Once)}
}

// target is where the request's reply goes: the interaction's webhook.
func (in *inbound) target(i *discordgo.Interaction, userID string, acked <-chan struct{}) Target {
	return Target{AppID: cmp.Or(i.AppID, in.appID), InteractionToken: i.Token, ChannelID: i.ChannelID,
		GuildID: i.GuildID, UserID: userID, Acked: acked}
}

// invoker is the user behind an interaction: the member in a guild (with
// their role IDs, the permission groups), the user in a DM.
func invoker(i *discordgo.Interaction) (id, name string, roles []string) {
	if i.Member != nil && i.Member.User != nil {
		return i.Member.User.ID, i.Member.User.Username, i.Member.Roles
	}
	if i.User != nil {
		return i.User.ID, i.User.Username, nil
	}
	return "", "", nil
}

// ephemeral is an immediate message only the user sees, escaped (it may
// echo what they typed) and unable to ping anyone.
func ephemeral(text string) *callback {
	return &callback{Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &callbackData{Content: clipEscaped(chat.EscapeDiscord(text), discordapi.MaxContent),
			Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions()}}
}
