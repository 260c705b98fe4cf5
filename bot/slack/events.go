package slack

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/chat"
)

// Bounds of the inbound side: how long a click is de-duplicated, and the
// ephemeral messages sent outside the ack.
const (
	actionDedupFor     = 5 * time.Second
	maxAsyncEphemerals = 32
	ephemeralTimeout   = 15 * time.Second
)

// ackMessage is the ephemeral acknowledgement of a slash command: the HTTP
// 200 body, or the Socket Mode ack payload.
type ackMessage struct {
	ResponseType string `json:"response_type"`
	Text         string `json:"text"`
}

// ephemeralAck escapes text (it may echo what the user typed) for mrkdwn.
func ephemeralAck(text string) *ackMessage {
	return &ackMessage{ResponseType: "ephemeral", Text: chat.EscapeSlack(text)}
}

// inbound maps Slack payloads to dispatcher requests; HTTP and Socket Mode
// share it.
type inbound struct {
	*platform.Receiver
	responders ResponderFactory
	groupsOf   func(ctx context.Context, userID string) []string
	ephemerals chan struct{} // bounds concurrent asynchronous ephemerals
}

func newInbound(opts InboundOptions) *inbound {
	return &inbound{Receiver: platform.NewReceiver(Name, opts.Inbound), responders: opts.Responders,
		groupsOf: opts.GroupsOf, ephemerals: make(chan struct{}, maxAsyncEphemerals)}
}

// slashCommand maps a slash command; the result is its ack (nil: none).
func (in *inbound) slashCommand(ctx context.Context, cmd slack.SlashCommand) *ackMessage {
	if cmd.UserID == "" || cmd.ChannelID == "" {
		in.Logger.Warn("slack: slash command without user or channel ignored")
		return nil
	}
	if strings.TrimSpace(cmd.Text) == "" {
		return ephemeralAck(chat.Usage)
	}
	inv, err := chat.ParseCommandLine("/caracal " + plainText(cmd.Text))
	if err != nil {
		return ephemeralAck(err.Error())
	}
	inv.Platform, inv.UserID, inv.UserName, inv.ChannelID, inv.TriggeredAt = Name, cmd.UserID, cmd.UserName, cmd.ChannelID, in.Now()
	t := Target{ChannelID: cmd.ChannelID, UserID: cmd.UserID, ResponseURL: cmd.ResponseURL}
	out := in.submit(ctx, bot.Request{Invocation: inv, DedupKey: key("slack:cmd:", cmd.TriggerID), Responder: in.responders.Responder(t)})
	if out.Ack == "" {
		return nil
	}
	return ephemeralAck(out.Ack)
}

// interactionPayload is the part of an interaction payload the bot reads:
// a button's (block_actions) or a message shortcut's (message_action).
type interactionPayload struct {
	Type        string `json:"type"`
	ResponseURL string `json:"response_url"`
	User        struct {
		ID       string `json:"id"`
		Username string `json:"username"`
		Name     string `json:"name"`
	} `json:"user"`
	Channel struct {
		ID string `json:"id"`
	} `json:"channel"`
	Container struct {
		MessageTS string `json:"message_ts"`
		ThreadTS  string `json:"thread_ts"`
		ChannelID string `json:"channel_id"`
	} `json:"container"`
	Actions []struct {
		ActionID string `json:"action_id"`
		Value    string `json:"value"`
	} `json:"actions"`
	// CallbackID, TriggerID and Message are a message shortcut's.
	CallbackID string          `json:"callback_id"`
	TriggerID  string          `json:"trigger_id"`
	Message    shortcutMessage `json:"message"`
}

// userName is the clicking user's handle.
func (p *interactionPayload) userName() string { return cmp.Or(p.User.Username, p.User.Name) }

// interaction maps an interaction payload (the JSON of the "payload" form
// field, or of a Socket Mode envelope): a click on a button
// (block_actions) or the "Diagnose with Caracal" message shortcut
// (message_action). Anything else is ignored.
func (in *inbound) interaction(ctx context.Context, raw []byte) error {
	var p interactionPayload
	if err := json.Unmarshal(raw, &p); err != nil {
		return errors.New("slack: unreadable interaction payload")
	}
	switch p.Type {
	case "block_actions":
		in.blockAction(ctx, &p)
	case "message_action":
		in.messageAction(ctx, &p)
	}
	return nil
}

// blockAction maps a click on a button under a reply.
func (in *inbound) blockAction(ctx context.Context, p *interactionPayload) {
	if len(p.Actions) == 0 || p.User.ID == "" {
		return
	}
	channel := cmp.Or(p.Channel.ID, p.Container.ChannelID)
	msgTS := p.Container.MessageTS
	if channel == "" || msgTS == "" {
		return
	}
	a := p.Actions[0]
	ack := Target{ChannelID: channel, UserID: p.User.ID, ResponseURL: p.ResponseURL}
	click, refusal := in.Click(a.ActionID)
	if click.Command == "" {
		in.ephemeral(ctx, ack, refusal)
		return
	}
	// Re-run replaces the message clicked and its thread; the others post
	// into the thread the message belongs to.
	inv := chat.Invocation{Platform: Name, Command: click.Command, Text: a.Value, UserID: p.User.ID,
		UserName: p.userName(), ChannelID: channel, ThreadID: cmp.Or(p.Container.ThreadTS, msgTS),
		TriggeredAt: in.Now()}
	t := Target{ChannelID: channel, UserID: p.User.ID, ThreadTS: inv.ThreadID, ResponseURL: p.ResponseURL}
	if click.Replace {
		inv.ThreadID, t.ThreadTS, t.UpdateTS = msgTS, msgTS, msgTS
	}
	out := in.submit(ctx, bot.Request{Invocation: inv, DedupKey: "slack:action:" + msgTS + ":" + a.ActionID + ":" + p.User.ID,
		DedupFor: actionDedupFor, Responder: in.responders.Responder(t)})
	in.ephemeral(ctx, ack, out.Ack)
}

// eventsPayload is the part of an Events API payload the bot reads.
type eventsPayload struct {
	Type           string `json:"type"`
	Challenge      string `json:"challenge"`
	EventID        string `json:"event_id"`
	Authorizations []struct {
		UserID string `json:"user_id"`
	} `json:"authorizations"`
	Event struct {
		Type     string `json:"type"`
		Subtype  string `json:"subtype"`
		User     string `json:"user"`
		BotID    string `json:"bot_id"`
		Text     string `json:"text"`
		TS       string `json:"ts"`
		ThreadTS string `json:"thread_ts"`
		Channel  string `json:"channel"`
	} `json:"event"`
}

// event maps an Events API payload: it returns the challenge of a
// url_verification and dispatches app mentions; the rest is ignored. retry
// is Slack's retry number (0 for a first delivery); retries are
// de-duplicated by event_id like any repeated delivery.
func (in *inbound) event(ctx context.Context, raw []byte, retry int) (challenge string, err error) {
	var p eventsPayload
	if err := json.Unmarshal(raw, &p); err != nil {
		return "", errors.New("slack: unreadable events payload")
	}
	switch {
	case p.Type == "url_verification":
		return p.Challenge, nil
	case p.Type != "event_callback" || p.Event.Type != "app_mention":
		return "", nil
	}
	e := p.Event
	self := ""
	if len(p.Authorizations) > 0 {
		self = p.Authorizations[0].UserID
	}
	if e.BotID != "" || e.Subtype != "" || e.User == "" || e.Channel == "" || e.TS == "" || (self != "" && e.User == self) {
		return "", nil // bots (ourselves included), edits and other subtypes
	}
	if retry > 0 {
		in.Logger.Info("slack: event redelivered", "event_id", p.EventID, "retry", retry)
	}
	// A mention in the channel starts a thread on itself: Slack shows no
	// ephemeral answer in it until it has a reply (Target.NewThread).
	t := Target{ChannelID: e.Channel, UserID: e.User, ThreadTS: cmp.Or(e.ThreadTS, e.TS), NewThread: e.ThreadTS == ""}
	line := afterMention(e.Text, self)
	if strings.TrimSpace(dropLeadingMention(line)) == "" {
		in.ephemeral(ctx, t, chat.Usage)
		return "", nil
	}
	inv, err := chat.ParseCommandLine(plainText(line))
	if err != nil {
		in.ephemeral(ctx, t, err.Error())
		return "", nil
	}
	inv.Platform, inv.UserID, inv.ChannelID, inv.ThreadID, inv.TriggeredAt = Name, e.User, e.Channel, e.ThreadTS, in.Now()
	out := in.submit(ctx, bot.Request{Invocation: inv, DedupKey: key("slack:event:", p.EventID), Responder: in.responders.Responder(t)})
	in.ephemeral(ctx, t, out.Ack)
	return "", nil
}

// afterMention returns text after the bot's own mention ("<@self>" or
// "<@self|name>") wherever it is, so "hey <@B> why x" reads "why x";
// without one, text is returned for ParseCommandLine to drop a leading mention.
func afterMention(text, self string) string {
	if self == "" {
		return text
	}
	i := strings.Index(text, "<@"+self)
	if i < 0 {
		return text
	}
	rest := text[i+2+len(self):]
	if !strings.HasPrefix(rest, ">") && !strings.HasPrefix(rest, "|") {
		return text
	}
	j := strings.IndexByte(rest, '>')
	if j < 0 {
		return text
	}
	return rest[j+1:]
}

// dropLeadingMention drops one leading "<@...>" so a bare mention reads empty.
func dropLeadingMention(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "<@") {
		if j := strings.IndexByte(s, '>'); j >= 0 {
			return s[j+1:]
		}
	}
	return s
}

// submit hands req to the dispatcher with the user's groups.
func (in *inbound) submit(ctx context.Context, req bot.Request) bot.Outcome {
	if in.groupsOf != nil && req.Invocation.UserID != "" {
		req.Groups = in.groupsOf(ctx, req.Invocation.UserID)
	}
	return in.Submit(ctx, req)
}

// ephemeral shows text to the user without blocking the ack; it is dropped
// (and logged) when too many are already in flight. The renderer escapes it.
func (in *inbound) ephemeral(ctx context.Context, t Target, text string) {
	if text == "" {
		return
	}
	select {
	case in.ephemerals <- struct{}{}:
	default:
		in.Logger.Warn("slack: too many ephemeral messages in flight; one dropped", "channel", t.ChannelID)
		return
	}
	ctx = context.WithoutCancel(ctx)
	go func() {
		defer func() { <-in.ephemerals }()
		ctx, cancel := context.WithTimeout(ctx, ephemeralTimeout)
		defer cancel()
		reply := chat.Reply{Summary: text, Severity: chat.SeverityInfo, Ephemeral: true}
		if err := in.responders.Ephemeral(ctx, t, reply); err != nil {
			in.Logger.Warn("slack: ephemeral message not delivered", "channel", t.ChannelID, "err", err)
		}
	}()
}

// key prefixes id, or is "" (never de-duplicate) when id is missing.
func key(prefix, id string) string {
	if id == "" {
		return ""
	}
	return prefix + id
}
