package slack

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/caracal-bot/caracal-bot/bot/platform"
)

// SocketRunner receives Slack deliveries over Socket Mode and maps them
// exactly as the HTTP handler does: slash commands, block actions, the
// message shortcut and app mentions. Socket Mode needs no public
// endpoint; Slack authenticates the app token, so there is no request
// signature to check.
type SocketRunner struct {
	client *socketmode.Client
	in     *inbound
	link   *platform.Link
}

// NewSocketRunner wraps a socketmode client (built with the app-level
// token); SigningSecret and MaxBody in opts are not used.
func NewSocketRunner(client *socketmode.Client, opts InboundOptions) *SocketRunner {
	return &SocketRunner{client: client, in: newInbound(opts), link: platform.NewLink(Name, opts.Metrics)}
}

// Connected reports whether the websocket is up now, for /readyz.
func (s *SocketRunner) Connected() bool { return s.link.Connected() }

// Run connects and handles envelopes until ctx ends (then it returns nil),
// or until the client gives up (invalid token), returning its error. The
// client reconnects on its own after drops and ping timeouts.
func (s *SocketRunner) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.client.RunContext(ctx) }()
	defer s.link.Set(false)
	for {
		select {
		case <-ctx.Done():
			<-done
			return nil
		case err := <-done:
			if ctx.Err() != nil {
				return nil
			}
			return err
		case evt := <-s.client.Events:
			s.handle(ctx, evt)
		}
	}
}

// handle tracks the connection and routes one client event.
func (s *SocketRunner) handle(ctx context.Context, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		s.link.Connect()
	case socketmode.EventTypeConnecting, socketmode.EventTypeConnectionError,
		socketmode.EventTypeInvalidAuth, socketmode.EventTypeDisconnect:
		s.link.Set(false)
	case socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive, socketmode.EventTypeEventsAPI:
		if evt.Request != nil {
			s.envelope(ctx, evt)
		}
	case socketmode.EventTypeErrorBadMessage:
		s.in.Logger.Warn("slack: unreadable socket mode message")
	}
}

// envelope maps one envelope and acks it, with the slash command's
// ephemeral ack as payload like the HTTP 200 body. Every envelope is acked,
// even one that is ignored, so Slack does not redeliver it.
func (s *SocketRunner) envelope(ctx context.Context, evt socketmode.Event) {
	start := time.Now()
	req := evt.Request
	var payload any
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		var cmd slack.SlashCommand
		if err := json.Unmarshal(req.Payload, &cmd); err != nil {
			s.in.Logger.Warn("slack: unreadable slash command envelope")
			break
		}
		if ack := s.in.slashCommand(ctx, cmd); ack != nil {
			payload = ack
		}
	case socketmode.EventTypeInteractive:
		if err := s.in.interaction(ctx, req.Payload); err != nil {
			s.in.Logger.Warn("slack: unreadable interaction envelope")
		}
	case socketmode.EventTypeEventsAPI:
		if _, err := s.in.event(ctx, req.Payload, req.RetryAttempt); err != nil {
			s.in.Logger.Warn("slack: unreadable events envelope")
		}
	}
	if err := s.client.AckCtx(ctx, req.EnvelopeID, payload); err != nil && !errors.Is(err, context.Canceled) {
		s.in.Logger.Warn("slack: envelope not acknowledged", "err", err)
		return
	}
	s.in.ObserveAck(start)
}
