package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/discord/discordfake"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/commands"
	"github.com/caracal-bot/caracal-bot/commands/commandstest"
	"github.com/caracal-bot/caracal-bot/integrations/caracal/caracaltest"
)

// replica is one bot process on the Discord side: a Poster and the inbound
// side (the HTTP interactions endpoint, and the gateway when the fake has
// one) sharing a button store, on a real dispatcher running the commands
// against the simulator. Several replicas share the fake and the
// simulator, as replicas share Discord and Caracal.
type replica struct {
	fake   *discordfake.Server
	poster *Poster
	http   *httptest.Server
	ran    chan chat.Invocation // what the commands ran, in order
	// delivered has the outcome of every reply delivered, in order.
	delivered chan error
	mu        sync.Mutex
	acked     map[string]chan struct{} // by interaction token, see Responder
}

// startReplica starts a replica keeping its buttons in store; with gw it
// also connects to the fake's gateway.
func startReplica(t *testing.T, fake *discordfake.Server, sim *caracaltest.Server, store platform.ButtonStore, gw *discordfake.Gateway) *replica {
	t.Helper()
	r := &replica{fake: fake, ran: make(chan chat.Invocation, 16), delivered: make(chan error, 16), acked: map[string]chan struct{}{}}
	s, err := NewSession(fake.BotToken(), fake.URL(), nil)
	require.NoError(t, err)
	r.poster = NewPoster(s, PosterOptions{Buttons: store})
	d := bot.NewDispatcher(bot.Options{Runner: recordingRegistry{commandstest.Registry(sim, caracaltest.DefaultAdminToken), r.ran}})
	t.Cleanup(func() { _ = d.Shutdown(context.Background()) })
	in := InboundOptions{PublicKey: testPublicKey(), AppID: fake.AppID(), Responders: responders{r, true}, Buttons: store,
		Inbound: platform.Inbound{Dispatcher: d}}
	r.http = httptest.NewServer(NewHTTPHandler(in))
	t.Cleanup(r.http.Close)
	if gw != nil {
		gs, err := NewSession(fake.BotToken(), fake.URL(), nil)
		require.NoError(t, err)
		in.Responders = responders{r, false}
		runner := NewGatewayRunner(gs, in)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); _ = runner.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
		wctx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		require.NoError(t, runner.waitConnected(wctx, true))
	}
	return r
}

// recordingRegistry runs the commands and says what it ran.
type recordingRegistry struct {
	*commands.Registry
	ran chan<- chat.Invocation
}

func (r recordingRegistry) Handle(ctx context.Context, inv chat.Invocation) chat.Reply {
	r.ran <- inv
	return r.Registry.Handle(ctx, inv)
}

// responders are the replica's Poster's, reporting each delivery on
// delivered. Over HTTP they also play Discord's part: Discord records the
// HTTP answer as the interaction's callback before its webhook may be
// used, so the reply waits until postHTTP has told the fake.
type responders struct {
	r    *replica
	http bool
}

func (f responders) Responder(t Target) bot.Responder {
	if f.http {
		t.Acked = f.r.ackedFor(t.InteractionToken)
	}
	return reporting{f.r.poster.Responder(t), f.r.delivered}
}

// reporting is a Responder that reports each delivery's outcome.
type reporting struct {
	bot.Responder
	done chan<- error
}

func (r reporting) Deliver(ctx context.Context, reply chat.Reply) error {
	err := r.Responder.Deliver(ctx, reply)
	r.done <- err
	return err
}

// waitDelivered waits for the next reply to be delivered, without error.
func (r *replica) waitDelivered(t *testing.T) {
	t.Helper()
	select {
	case err := <-r.delivered:
		require.NoError(t, err)
	case <-time.After(15 * time.Second):
		require.FailNow(t, "no reply delivered")
	}
}

func (r *replica) ackedFor(token string) chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.acked[token] == nil {
		r.acked[token] = make(chan struct{})
	}
	return r.acked[token]
}

// postHTTP posts i, signed, to the replica's endpoint, records the answer
// as i's callback on the fake, and returns it.
func (r *replica) postHTTP(t *testing.T, i *discordgo.Interaction) string {
	t.Helper()
	body, err := json.Marshal(i)
	require.NoError(t, err)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, r.http.URL+PathInteractions, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("X-Signature-Timestamp", ts)
	req.Header.Set("X-Signature-Ed25519", signature(ts, string(body)))
	status, answer := do(t, req)
	require.Equal(t, http.StatusOK, status, answer)
	require.NoError(t, discordfake.CheckInteractionResponse([]byte(answer)))
	resp, err := http.Post(r.fake.URL()+"/interactions/"+i.ID+"/"+i.Token+"/callback", "application/json", strings.NewReader(answer))
	require.NoError(t, err)
	_ = resp.Body.Close()
	close(r.ackedFor(i.Token))
	return answer
}

// Where a test sends an interaction.
const (
	viaHTTP    = "http"
	viaGateway = "gateway"
)

// send registers i with the fake (its ID and token) and sends it to the
// replica over HTTP or the gateway; it returns the HTTP answer ("" over
// the gateway).
func (r *replica) send(t *testing.T, gw *discordfake.Gateway, via string, i *discordgo.Interaction) string {
	t.Helper()
	i.ID, i.Token = r.fake.NewInteraction(i.ChannelID, i.GuildID, i.Member.User.ID)
	i.AppID = r.fake.AppID()
	if via == viaGateway {
		require.NoError(t, gw.SendInteraction(i))
		return ""
	}
	return r.postHTTP(t, i)
}

// next is the next invocation the replica's commands ran.
func (r *replica) next(t *testing.T) chat.Invocation {
	t.Helper()
	select {
	case inv := <-r.ran:
		return inv
	case <-time.After(15 * time.Second):
		require.FailNow(t, "no command ran")
		return chat.Invocation{}
	}
}

// slashWhy is /caracal why request_id:<id> zone:<zone> in the poster test
// channel.
func slashWhy(id, zone string) *discordgo.Interaction {
	return &discordgo.Interaction{Type: discordgo.InteractionApplicationCommand, GuildID: posterGuild, ChannelID: posterChannel,
		Member: &discordgo.Member{User: &discordgo.User{ID: posterUser, Username: "oncall"}},
		Data: discordgo.ApplicationCommandInteractionData{ID: "1", Name: CommandName, Options: []*discordgo.ApplicationCommandInteractionDataOption{{
			Name: "why", Type: discordgo.ApplicationCommandOptionSubCommand,
			Options: []*discordgo.ApplicationCommandInteractionDataOption{str("request_id", id), str("zone", zone)}}}}}
}

// click is a click on the button labelled label of root, as Discord sends
// it: with the message the button sits on.
func click(t *testing.T, root discordfake.Message, label string) *discordgo.Interaction {
	t.Helper()
	for _, b := range root.Buttons() {
		if b.Label == label {
			return clickID(root, b.CustomID)
		}
	}
	require.FailNow(t, "no button "+label)
	return nil
}

// clickID is a click on a button of root with this custom_id.
func clickID(root discordfake.Message, customID string) *discordgo.Interaction {
	return &discordgo.Interaction{Type: discordgo.InteractionMessageComponent, GuildID: posterGuild, ChannelID: posterChannel,
		Member:  &discordgo.Member{User: &discordgo.User{ID: posterUser, Username: "oncall"}},
		Message: &discordgo.Message{ID: root.ID, ChannelID: posterChannel, Embeds: root.Embeds},
		Data:    discordgo.MessageComponentInteractionData{CustomID: customID, ComponentType: discordgo.ButtonComponent}}
}
