package bot_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bot"
	"github.com/caracal-bot/caracal-bot/bot/bottest"
)

// Errors a fake platform fails with, read by fakeClassify.
var (
	errLimited   = errors.New("429 retry after 7s")
	errLimitedNA = errors.New("429 without retry-after")
	errFlaky     = errors.New("503")
	errDenied    = errors.New("not_in_channel")
)

func fakeClassify(err error) bot.Failure {
	switch {
	case errors.Is(err, errLimited):
		return bot.Failure{RateLimited: true, RetryAfter: 7 * time.Second}
	case errors.Is(err, errLimitedNA):
		return bot.Failure{RateLimited: true}
	case errors.Is(err, errFlaky):
		return bot.Failure{Transient: true}
	}
	return bot.Failure{Transient: bot.TransportFailure(err)}
}

type deliveryEnv struct {
	clock   *bottest.Clock
	metrics *bot.Metrics
	log     *bytes.Buffer
}

func newDelivery(t *testing.T, maxTime time.Duration) (*bot.Delivery, *deliveryEnv) {
	t.Helper()
	env := &deliveryEnv{clock: bottest.NewClock(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)),
		metrics: bot.NewMetrics(prometheus.NewRegistry()), log: &bytes.Buffer{}}
	d, cancel := bot.NewDelivery(context.Background(), bot.Delivery{
		Platform: "chatx", Channel: "C1", RequestID: "req_1", Classify: fakeClassify,
		DeliveryOptions: bot.DeliveryOptions{Logger: slog.New(slog.NewTextHandler(env.log, nil)), Metrics: env.metrics,
			MaxDeliveryTime: maxTime, Now: env.clock.Now, Sleep: env.clock.Sleep},
	})
	t.Cleanup(cancel)
	return d, env
}

// failing returns a call that fails with errs in turn, then succeeds.
func failing(errs ...error) (func(context.Context) error, *int) {
	calls := 0
	return func(ctx context.Context) error {
		calls++
		if calls <= len(errs) {
			return errs[calls-1]
		}
		return nil
	}, &calls
}

func TestDeliveryHonoursRetryAfterAndBacksOff(t *testing.T) {
	d, env := newDelivery(t, time.Minute)
	call, calls := failing(errLimited, errFlaky, errFlaky, errLimitedNA)
	require.NoError(t, d.Call("post", call))
	assert.Equal(t, 5, *calls)
	require.Len(t, env.clock.Sleeps(), 4)
	assert.Equal(t, 7*time.Second, env.clock.Sleeps()[0], "the platform's Retry-After is used as is")
	for i, step := range []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second} {
		got := env.clock.Sleeps()[i+1]
		assert.True(t, got >= step/2 && got <= step, "backoff %d = %s, want within [%s, %s]", i, got, step/2, step)
	}
	assert.Equal(t, 2.0, testutil.ToFloat64(env.metrics.RateLimited.WithLabelValues("chatx", "post")))
	assert.Equal(t, 2.0, testutil.ToFloat64(env.metrics.PlatformErrors.WithLabelValues("chatx", "post")))
	assert.Empty(t, env.log.String(), "a delivery that succeeded logs no error")
}

func TestDeliveryStopsAtPermanentErrors(t *testing.T) {
	d, env := newDelivery(t, time.Minute)
	call, calls := failing(errDenied)
	err := d.Call("post", call)
	require.ErrorIs(t, err, errDenied)
	assert.Equal(t, "chatx post: not_in_channel", err.Error())
	assert.Equal(t, 1, *calls)
	assert.Empty(t, env.clock.Sleeps())
}

func TestDeliveryGivesUpBeforeTheDeadline(t *testing.T) {
	d, env := newDelivery(t, 10*time.Second)
	call, calls := failing(errLimited, errLimited, errLimited)
	err := d.Call("post", call)
	require.ErrorIs(t, err, errLimited)
	assert.Contains(t, err.Error(), "giving up after 2 attempts")
	assert.Equal(t, 2, *calls, "the second 7 s wait would pass the 10 s deadline")
	assert.Equal(t, []time.Duration{7 * time.Second}, env.clock.Sleeps())

	require.ErrorIs(t, d.Finish(err), errLimited)
	line := env.log.String()
	assert.Contains(t, line, "chatx: reply not delivered")
	assert.Contains(t, line, "channel=C1")
	assert.Contains(t, line, "request_id=req_1")
	assert.Contains(t, line, "method=post")
	assert.Equal(t, 1.0, testutil.ToFloat64(env.metrics.Undelivered.WithLabelValues("chatx")))
}

func TestDeliveryRetriesTransportFailures(t *testing.T) {
	d, _ := newDelivery(t, time.Minute)
	call, calls := failing(&net.OpError{Op: "dial", Err: errors.New("connection refused")})
	require.NoError(t, d.Call("post", call))
	assert.Equal(t, 2, *calls)
}

func TestDeliveryStopsWhenCancelled(t *testing.T) {
	ctx, cancelCaller := context.WithCancel(context.Background())
	clock := bottest.NewClock(time.Now())
	d, cancel := bot.NewDelivery(ctx, bot.Delivery{Platform: "chatx", Classify: fakeClassify,
		DeliveryOptions: bot.DeliveryOptions{MaxDeliveryTime: time.Minute, Now: clock.Now, Sleep: clock.Sleep}})
	defer cancel()
	calls := 0
	err := d.Call("post", func(context.Context) error {
		calls++
		cancelCaller()
		return errFlaky
	})
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, calls)
}

func TestDeliveryRedactsErrors(t *testing.T) {
	d, env := newDelivery(t, time.Minute)
	d.Redact = func(err error) error { return errors.New(strings.ReplaceAll(err.Error(), "s3cret", "[redacted]")) }
	err := d.Finish(d.Call("post", func(context.Context) error { return errors.New("POST /hooks/s3cret: denied") }))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cret")
	assert.NotContains(t, env.log.String(), "s3cret")
}

func TestDeliveryRecoveredForgetsTheLastFailure(t *testing.T) {
	d, env := newDelivery(t, time.Minute)
	_ = d.Fail("chat.update", errDenied)
	d.Recovered()
	err := d.Fail("chat.postMessage", errDenied)
	_ = d.Finish(err)
	assert.Contains(t, env.log.String(), "method=chat.postMessage")
	assert.NotContains(t, env.log.String(), "chat.update")
}
