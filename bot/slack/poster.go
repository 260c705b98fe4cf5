package slack

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/egress"
)

// Target says where a reply goes.
type Target struct {
	ChannelID string
	UserID    string
	// ThreadTS posts the whole reply (root as a message, then the thread)
	// into this existing thread: Show trace, mentions inside a thread, a
	// message diagnosed with the message shortcut.
	ThreadTS string
	// NewThread says ThreadTS names a message that may have no replies
	// yet (the shortcut on a channel message): posting starts its thread,
	// but Slack shows an ephemeral message in a thread only once the
	// thread is active, so ephemeral answers go to the channel.
	NewThread bool
	// UpdateTS replaces this root message with chat.update (Re-run) and
	// posts the new thread under it. It wins over ThreadTS.
	UpdateTS string
	// ResponseURL is the command's or interaction's response_url: the way
	// to answer when the bot cannot post in the channel, and a way to
	// answer ephemerally. It is a credential of sorts and never logged.
	ResponseURL string
}

// PosterOptions configure a Poster. Every field is optional.
type PosterOptions struct {
	bot.DeliveryOptions
	// HTTPClient posts to response_url (default: a client with a 30 s timeout).
	HTTPClient *http.Client
	// BotName is the bot's Slack handle for the invite hint (default "caracal-bot").
	BotName string
}

// Poster renders replies as Block Kit and posts them: the root message,
// its thread and files, retrying rate limits and outages for a bounded
// time. It is safe for concurrent use. Build the slack.Client without
// OptionRetry: the Poster does its own retrying.
type Poster struct {
	api  *slackapi.Client
	opts PosterOptions
}

// NewPoster returns a Poster that calls Slack through api.
func NewPoster(api *slackapi.Client, opts PosterOptions) *Poster {
	if opts.HTTPClient == nil {
		opts.HTTPClient = egress.New(30*time.Second, nil)
	}
	opts.HTTPClient = egress.Client(opts.HTTPClient, nil) // a response_url never redirects elsewhere
	opts.BotName = strings.TrimPrefix(cmp.Or(opts.BotName, "caracal-bot"), "@")
	return &Poster{api: api, opts: opts}
}

// Responder returns the bot.Responder that delivers one request's reply to
// t: Deliver, and Ephemeral for its notes.
func (p *Poster) Responder(t Target) bot.Responder { return platform.Responder(p, t) }

// Deliver posts reply to t. An ephemeral reply goes to Ephemeral. Otherwise
// the root message is posted (or, with UpdateTS, replaces that message),
// then every thread message and file under it, in order; each is retried
// on its own, so one failure loses nothing else. When the bot may not post
// in the channel the whole reply goes to the response_url with an
// ephemeral hint on how to invite the bot.
func (p *Poster) Deliver(ctx context.Context, t Target, reply chat.Reply) error {
	if reply.Ephemeral {
		return p.Ephemeral(ctx, t, reply)
	}
	d, cancel := p.start(ctx, t, reply)
	defer cancel()
	if t.ChannelID == "" {
		if t.ResponseURL != "" {
			return d.Finish(d.respond(responseInChannel, RenderSingle(reply)))
		}
		return d.Finish(errors.New("slack: no channel and no response_url to deliver to"))
	}
	out := Render(reply)
	threadTS, err := d.postRoot(out.Root)
	if err != nil {
		if code, ok := channelAccessError(err); ok {
			return d.Finish(d.fallback(code, reply))
		}
		return d.Finish(err)
	}
	var errs []error
	for _, m := range out.Thread {
		if err := d.post(m, threadTS); err != nil {
			errs = append(errs, err)
		}
	}
	for _, f := range out.Files {
		if err := d.upload(f, threadTS); err != nil {
			errs = append(errs, err)
		}
	}
	return d.Finish(errors.Join(errs...))
}

// Ephemeral answers only the user: chat.postEphemeral when the channel and
// user are known, else (or when that fails) the response_url with
// response_type ephemeral. The whole reply is one message.
func (p *Poster) Ephemeral(ctx context.Context, t Target, reply chat.Reply) error {
	d, cancel := p.start(ctx, t, reply)
	defer cancel()
	msg := RenderSingle(reply)
	var err error
	if t.ChannelID != "" && t.UserID != "" {
		if err = d.postEphemeral(msg); err == nil || t.ResponseURL == "" || d.Ctx.Err() != nil {
			return d.Finish(err)
		}
		d.Recovered()
		d.Logger.Warn("slack: chat.postEphemeral failed; answering through the response_url",
			"channel", t.ChannelID, "request_id", d.RequestID, "err", err)
	}
	if t.ResponseURL == "" {
		return d.Finish(errors.New("slack: cannot answer ephemerally without a channel and user or a response_url"))
	}
	return d.Finish(d.respond(responseEphemeral, msg))
}

// postRoot posts or updates the root message and returns the thread's ts.
func (d *delivery) postRoot(root Message) (string, error) {
	t := d.target
	if t.UpdateTS != "" {
		err := d.Call("chat.update", func(ctx context.Context) error {
			_, _, _, err := d.p.api.UpdateMessageContext(ctx, t.ChannelID, t.UpdateTS,
				slackapi.MsgOptionText(root.Text, false), slackapi.MsgOptionBlocks(root.Blocks...))
			return err
		})
		if err == nil || !isGoneMessage(err) {
			return t.UpdateTS, err
		}
		d.Recovered()
		d.Logger.Warn("slack: root message to update is gone; posting a new one", "channel", t.ChannelID, "request_id", d.RequestID)
		ts, err := d.postMessage(root, "")
		return ts, err
	}
	ts, err := d.postMessage(root, t.ThreadTS)
	return cmp.Or(t.ThreadTS, ts), err
}

// post posts one thread message under threadTS.
func (d *delivery) post(m Message, threadTS string) error {
	_, err := d.postMessage(m, threadTS)
	return err
}

func (d *delivery) postMessage(m Message, threadTS string) (string, error) {
	opts := []slackapi.MsgOption{slackapi.MsgOptionText(m.Text, false), slackapi.MsgOptionBlocks(m.Blocks...),
		slackapi.MsgOptionDisableLinkUnfurl(), slackapi.MsgOptionDisableMediaUnfurl()}
	if threadTS != "" {
		opts = append(opts, slackapi.MsgOptionTS(threadTS))
	}
	var ts string
	err := d.Call("chat.postMessage", func(ctx context.Context) error {
		var err error
		_, ts, err = d.p.api.PostMessageContext(ctx, d.target.ChannelID, opts...)
		return err
	})
	return ts, err
}

func (d *delivery) postEphemeral(m Message) error {
	opts := []slackapi.MsgOption{slackapi.MsgOptionText(m.Text, false), slackapi.MsgOptionBlocks(m.Blocks...)}
	if ts := d.target.ephemeralTS(); ts != "" {
		opts = append(opts, slackapi.MsgOptionTS(ts))
	}
	return d.Call("chat.postEphemeral", func(ctx context.Context) error {
		_, err := d.p.api.PostEphemeralContext(ctx, d.target.ChannelID, d.target.UserID, opts...)
		return err
	})
}

// ephemeralTS is the thread an ephemeral answer to t goes into, "" for
// the channel.
func (t Target) ephemeralTS() string {
	if t.NewThread {
		return ""
	}
	return cmp.Or(t.ThreadTS, t.UpdateTS)
}

// fallback delivers the whole reply through the response_url when the bot
// may not post in the channel, then tells the user how to fix that.
func (d *delivery) fallback(code string, reply chat.Reply) error {
	if d.target.ResponseURL == "" {
		return fmt.Errorf("slack: cannot post in channel %s (%s) and there is no response_url to answer through: %s",
			d.target.ChannelID, code, inviteAdvice(code, d.p.opts.BotName))
	}
	d.Recovered()
	d.Logger.Warn("slack: cannot post in the channel; answering through the response_url",
		"channel", d.target.ChannelID, "request_id", d.RequestID, "error_code", code)
	if err := d.respond(responseInChannel, renderSingle(reply, cannotPost(code, d.p.opts.BotName))); err != nil {
		return err
	}
	return d.respond(responseEphemeral, inviteHint(code, d.p.opts.BotName))
}

// inviteHint is the ephemeral note after a fallback.
func inviteHint(code, botName string) Message {
	text := "ℹ️ " + cannotPost(code, botName)
	return Message{Text: text, Blocks: []slackapi.Block{slackapi.NewSectionBlock(mrkdwn(text), nil, nil)}}
}

// cannotPost says that the bot could not post in the channel and how to
// let it: the ephemeral hint after a fallback, and the end of the one
// message the fallback posts when that message had to be shortened. It is
// our own mrkdwn, not escaped, so the /invite command can be copied as it is.
func cannotPost(code, botName string) string {
	text := "I could not post in this channel (`" + code + "`), so this answer has no thread or attachments. "
	switch code {
	case "is_archived", "restricted_action":
		return text + inviteAdvice(code, botName)
	default:
		return text + "Invite me with `/invite @" + entities.Replace(chat.OneLine(botName)) + "` to get full answers here."
	}
}

// inviteAdvice says how to let the bot post, for a channel-access error.
func inviteAdvice(code, botName string) string {
	switch code {
	case "is_archived":
		return "The channel is archived: run the command in an active channel."
	case "restricted_action":
		return "Posting here is restricted: ask a workspace admin to allow the app, or use another channel."
	default:
		return "Invite me with /invite @" + botName + " to get full answers here."
	}
}

// channelAccessError reports whether err means the bot may not post in the
// channel, and the Slack error code.
func channelAccessError(err error) (string, bool) {
	var e slackapi.SlackErrorResponse
	if !errors.As(err, &e) {
		return "", false
	}
	switch e.Err {
	case "not_in_channel", "channel_not_found", "is_archived", "restricted_action":
		return e.Err, true
	}
	return "", false
}

// isGoneMessage reports whether chat.update failed because the message
// cannot be edited any more, so a new root should be posted.
func isGoneMessage(err error) bool {
	var e slackapi.SlackErrorResponse
	return errors.As(err, &e) && (e.Err == "message_not_found" || e.Err == "cant_update_message" || e.Err == "edit_window_closed")
}
