package discord

import (
	"context"
	"errors"

	"github.com/bwmarrin/discordgo"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/discord/discordapi"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/chat"
)

// Target says where a reply goes.
type Target struct {
	// AppID and InteractionToken name the interaction to answer: its
	// deferred @original is edited and followups are posted through its
	// webhook. The token authorizes those calls: it is a secret, never
	// logged. Empty for a reply that answers no interaction (the root is
	// then posted in ChannelID).
	AppID, InteractionToken string
	ChannelID, GuildID      string
	UserID                  string
	// MessageID is, for Re-run and Show trace, the root message the button
	// sits on; its thread has the same ID.
	MessageID string
	// Replace (Re-run, with MessageID) edits the root message in place and
	// posts the new thread content into its thread. Without it a reply
	// with MessageID (Show trace) is posted whole into that thread.
	Replace bool
	// Acked is closed once the interaction was acknowledged (deferred);
	// Deliver waits for it first. Nil means already acknowledged.
	Acked <-chan struct{}
}

// PosterOptions configure a Poster. Every field is optional.
type PosterOptions struct {
	// DeliveryOptions bound a delivery, waiting for the acknowledgement
	// included.
	bot.DeliveryOptions
	// ThreadName names the thread started on a root message (default
	// DefaultThreadName). Discord keeps at most 100 characters.
	ThreadName func(chat.Reply) string
	// Buttons keeps the values of buttons too long for a custom_id (see
	// ButtonRef); give the inbound side the same store. Default: in memory.
	Buttons platform.ButtonStore
}

// ThreadArchiveMinutes is the auto-archive duration of the threads the
// bot starts: one day of inactivity.
const ThreadArchiveMinutes = 1440

// Poster renders replies for Discord and posts them: it answers the
// deferred interaction with the root message, starts a thread on it and
// posts the thread messages, retrying rate limits and outages for a
// bounded time. It is safe for concurrent use. Build the session with
// NewSession: the Poster does its own retrying.
type Poster struct {
	s    *discordgo.Session
	opts PosterOptions
}

// NewPoster returns a Poster that calls Discord through s.
func NewPoster(s *discordgo.Session, opts PosterOptions) *Poster {
	if opts.ThreadName == nil {
		opts.ThreadName = DefaultThreadName
	}
	if opts.Buttons == nil {
		opts.Buttons = platform.NewMemoryButtons(platform.MemoryOptions{})
	}
	return &Poster{s: s, opts: opts}
}

// DefaultThreadName is "why <request ID>" when the reply has a Request ID
// field, else its summary; one line of at most 100 characters.
func DefaultThreadName(r chat.Reply) string {
	name := chat.OneLine(r.Summary)
	if id := r.RequestID(); id != "" && id != "(none)" {
		name = "why " + id
	}
	if name == "" {
		name = "caracal"
	}
	return chat.Clip(name, discordapi.MaxThreadName)
}

// Responder returns the bot.Responder that delivers one request's reply to
// t: Deliver, and Ephemeral for its notes (a followup that leaves
// @original, the answer, alone).
func (p *Poster) Responder(t Target) bot.Responder { return platform.Responder(p, t) }

// Deliver posts reply to t, after waiting for t.Acked:
//   - an ephemeral reply replaces the deferred @original of a slash
//     command (deleted) with an ephemeral followup; for a button
//     (MessageID set) only the followup is sent, as @original is then the
//     root message itself;
//   - a channel reply without MessageID edits @original into the root
//     (or, with no interaction, posts it in ChannelID), starts a thread on
//     it and posts the thread messages in order;
//   - with MessageID and Replace (Re-run) the root is edited and the new
//     thread content posted into its thread (started if missing);
//   - with MessageID alone (Show trace) the whole reply goes into that
//     message's thread.
//
// Every call is retried on its own, so one failure loses nothing else.
// When the bot may not start or post in threads, the thread is posted as
// followups of the interaction instead.
func (p *Poster) Deliver(ctx context.Context, t Target, reply chat.Reply) error {
	d, cancel := p.start(ctx, t, reply)
	defer cancel()
	if err := d.waitAcked(); err != nil {
		return d.Finish(err)
	}
	switch {
	case reply.Ephemeral:
		if t.MessageID == "" && t.InteractionToken != "" {
			if err := d.deleteOriginal(); err != nil {
				return d.Finish(err)
			}
		}
		return d.Finish(d.followup(RenderSingle(reply), true))
	case t.MessageID == "":
		return d.Finish(d.newRoot(reply))
	case t.Replace:
		return d.Finish(d.rerun(reply))
	default:
		return d.Finish(d.postThread(t.ChannelID, t.MessageID, renderIntoThread(reply)))
	}
}

// Ephemeral sends reply as an ephemeral followup of the interaction
// (flags 64) that only the user sees, after waiting for t.Acked. It does
// not touch @original.
func (p *Poster) Ephemeral(ctx context.Context, t Target, reply chat.Reply) error {
	d, cancel := p.start(ctx, t, reply)
	defer cancel()
	if err := d.waitAcked(); err != nil {
		return d.Finish(err)
	}
	return d.Finish(d.followup(RenderSingle(reply), true))
}

// newRoot posts the root (editing @original), starts its thread and posts
// the thread into it.
func (d *delivery) newRoot(reply chat.Reply) error {
	out := Render(reply, d.keepButtons(reply))
	root, err := d.postRoot(out.Root)
	if err != nil {
		return err
	}
	return d.startAndPost(root, out.Thread)
}

// rerun edits the root message the Re-run button sits on and posts the new
// thread content into its thread. A root that is gone is posted anew.
func (d *delivery) rerun(reply chat.Reply) error {
	out := Render(reply, d.keepButtons(reply))
	t := d.target
	err := d.editMessage(t.ChannelID, t.MessageID, out.Root)
	if errorCode(err) == discordgo.ErrCodeUnknownMessage {
		d.Recovered()
		d.Logger.Warn("discord: root message to re-run is gone; posting a new one", "channel", t.ChannelID, "request_id", d.RequestID)
		root, err := d.postRoot(out.Root)
		if err != nil {
			return err
		}
		return d.startAndPost(root, out.Thread)
	}
	if err != nil {
		return err
	}
	return d.postThread(t.ChannelID, t.MessageID, out.Thread)
}

// keepButtons keeps the values of the reply's buttons too long for a
// custom_id in the Poster's ButtonStore.
func (d *delivery) keepButtons(reply chat.Reply) ButtonTokens {
	return keepButtons(d.Ctx, d.p.opts.Buttons, reply.Buttons, d.Logger)
}

// startAndPost starts the thread on root and posts msgs into it. When the
// bot may not use threads there, the messages become interaction followups.
func (d *delivery) startAndPost(root *discordgo.Message, msgs []Message) error {
	if len(msgs) == 0 {
		return nil
	}
	channel := root.ChannelID
	if channel == "" {
		channel = d.target.ChannelID
	}
	thread, err := d.startThread(channel, root.ID)
	if err != nil {
		if !noThreadAccess(err) || d.target.InteractionToken == "" {
			return err
		}
		d.Recovered()
		d.Logger.Warn("discord: cannot start a thread here; posting the thread as followups",
			"channel", channel, "request_id", d.RequestID, "error_code", errorCode(err))
		return d.postFollowups(msgs)
	}
	return d.postAll(thread, msgs)
}

// postThread posts msgs into the thread of messageID (its ID), starting
// the thread when Discord says it does not exist.
func (d *delivery) postThread(channel, messageID string, msgs []Message) error {
	if len(msgs) == 0 {
		return nil
	}
	err := d.send(messageID, msgs[0])
	if errorCode(err) == discordgo.ErrCodeUnknownChannel {
		d.Recovered()
		return d.startAndPost(&discordgo.Message{ID: messageID, ChannelID: channel}, msgs)
	}
	if noThreadAccess(err) && d.target.InteractionToken != "" {
		d.Recovered()
		return d.postFollowups(msgs)
	}
	errs := []error{err}
	if rest := d.postAll(messageID, msgs[1:]); rest != nil {
		errs = append(errs, rest)
	}
	return errors.Join(errs...)
}

// postAll posts msgs in order into channel; a failed message does not stop
// the others.
func (d *delivery) postAll(channel string, msgs []Message) error {
	var errs []error
	for _, m := range msgs {
		if err := d.send(channel, m); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// postFollowups posts msgs in order as (visible) interaction followups.
func (d *delivery) postFollowups(msgs []Message) error {
	var errs []error
	for _, m := range msgs {
		if err := d.followup(m, false); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// noThreadAccess reports errors meaning the bot may not start or post in
// a thread here: missing access or permissions, or a channel type (a DM,
// a thread) without threads.
func noThreadAccess(err error) bool {
	switch errorCode(err) {
	case discordgo.ErrCodeMissingAccess, discordgo.ErrCodeMissingPermissions, discordgo.ErrCodeCannotExecuteActionOnThisChannelType:
		return true
	}
	return false
}
