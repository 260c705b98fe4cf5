package tickets

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Webhook headers. The signature is HMAC-SHA256, keyed with the shared
// secret, over the timestamp header's value, a ".", and the raw body:
// "sha256=" + hex. Receivers should refuse timestamps more than a few
// minutes away from their clock (see VerifyWebhook).
const (
	HeaderSignature   = "X-Caracal-Bot-Signature"
	HeaderTimestamp   = "X-Caracal-Bot-Timestamp"
	HeaderEvent       = "X-Caracal-Bot-Event"
	HeaderIdempotency = "Idempotency-Key"

	EventCreate  = "ticket.create"
	EventComment = "ticket.comment"
)

// WebhookSummary is the JSON of the "summary" part of a ticket.create call.
type WebhookSummary struct {
	Key        string   `json:"key"`
	Title      string   `json:"title"`
	Markdown   string   `json:"markdown"`
	Labels     []string `json:"labels"`
	BundleName string   `json:"bundle_name,omitempty"`
	BundleLink string   `json:"bundle_link,omitempty"`
}

// WebhookComment is the JSON body of a ticket.comment call.
type WebhookComment struct {
	ID       string `json:"id"`
	URL      string `json:"url,omitempty"`
	Markdown string `json:"markdown"`
}

// WebhookConfig configures the generic webhook Ticketer.
type WebhookConfig struct {
	// URL receives the calls (TICKET_WEBHOOK_URL).
	URL string
	// Secret signs them; "" sends no signature (TICKET_WEBHOOK_SECRET).
	Secret string
	// Now stamps the calls (default time.Now).
	Now func() time.Time
}

// Webhook posts tickets to a receiver of the documented contract:
//
//	ticket.create: POST multipart/form-data with the part "summary"
//	  (application/json, WebhookSummary) and, when there is a bundle, the
//	  part "bundle" (application/zip, with its file name); headers
//	  X-Caracal-Bot-Event, X-Caracal-Bot-Timestamp, X-Caracal-Bot-Signature
//	  (when a secret is set) and Idempotency-Key (the key's Marker,
//	  "caracal-bot-" and 20 hex digits). Any 2xx answer is success; a JSON
//	  object's "id" (string or number) and "url" (http or https) are used
//	  when present, and any other body, or none, is fine: the ticket's ID
//	  is then the marker.
//	ticket.comment: POST application/json (WebhookComment), same headers
//	  but Idempotency-Key; any 2xx answer.
//
// 429 (with Retry-After) and 5xx answers are retried.
type Webhook struct {
	cfg WebhookConfig
	c   *caller
}

// NewWebhook returns a webhook Ticketer.
func NewWebhook(cfg WebhookConfig, o ClientOptions) *Webhook {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	own := []string{cfg.Secret}
	if CapabilityURL(cfg.URL) {
		own = append(own, cfg.URL) // its path may itself grant posting: keep it out of errors
	}
	return &Webhook{cfg: cfg, c: newCaller(SystemWebhook, o, own...)}
}

// CapabilityURL reports whether a webhook URL has a path, which may itself
// grant posting (like a chat platform's incoming webhook) and is then
// treated as a secret.
func CapabilityURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Path != "" && u.Path != "/"
}

// Name implements Ticketer.
func (w *Webhook) Name() string { return SystemWebhook }

// TakesAttachments reports that the receiver gets the bundle.
func (w *Webhook) TakesAttachments() bool { return true }

// Create posts the summary and the bundle. Any 2xx answer files the
// ticket: its ID and URL are the answer's "id" and "url" when it has them,
// else the key's Marker and none.
func (w *Webhook) Create(ctx context.Context, t Ticket) (Ref, error) {
	sum := WebhookSummary{Key: t.Key, Title: t.Title, Markdown: Markdown(t.Body), Labels: append([]string{}, t.Labels...), BundleLink: t.BundleLink}
	if t.Attachment != nil {
		sum.BundleName = safeFileName(t.Attachment.Name)
	}
	body, ctype, err := webhookMultipart(sum, t.Attachment)
	if err != nil {
		return Ref{}, err
	}
	resp, err := w.c.do(ctx, "create ticket", func(ctx context.Context) (*http.Request, error) {
		req, err := w.request(ctx, EventCreate, ctype, body)
		if err == nil && t.Key != "" {
			req.Header.Set(HeaderIdempotency, Marker(t.Key))
		}
		return req, err
	})
	if err != nil {
		return Ref{}, err
	}
	id, u := parseWebhookAnswer(resp.body)
	if id == "" {
		id = Marker(t.Key)
	}
	return Ref{System: SystemWebhook, ID: id, URL: u}, nil
}

// maxWebhookID bounds the receiver's id (it is shown in chat and sent back).
const maxWebhookID = 128

// parseWebhookAnswer reads a receiver's answer: the "id" (a string or a
// number of printable characters, at most maxWebhookID) and the "url" (an
// absolute http or https URL) of a JSON object, each "" when missing or
// unusable. Any other answer, an empty one included, gives "", "".
func parseWebhookAnswer(body []byte) (id, link string) {
	var out struct {
		ID  any `json:"id"`
		URL any `json:"url"`
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if d.Decode(&out) != nil {
		return "", ""
	}
	switch v := out.ID.(type) {
	case string:
		id = v
	case json.Number:
		id = v.String()
	}
	if id = strings.TrimSpace(id); runes(id) > maxWebhookID || strings.IndexFunc(id, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		id = ""
	}
	if s, ok := out.URL.(string); ok {
		if u, err := url.Parse(s); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			link = s
		}
	}
	return id, link
}

// Comment posts a ticket.comment call.
func (w *Webhook) Comment(ctx context.Context, ref Ref, u Update) error {
	body, err := json.Marshal(WebhookComment{ID: ref.ID, URL: ref.URL, Markdown: Markdown(u.Body)})
	if err != nil {
		return err
	}
	_, err = w.c.do(ctx, "comment", func(ctx context.Context) (*http.Request, error) {
		return w.request(ctx, EventComment, "application/json", body)
	})
	return err
}

// request builds one signed attempt; each attempt gets a fresh timestamp.
func (w *Webhook) request(ctx context.Context, event, ctype string, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	ts := strconv.FormatInt(w.cfg.Now().Unix(), 10)
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Accept", "application/json")
	req.Header.Set(HeaderEvent, event)
	req.Header.Set(HeaderTimestamp, ts)
	if w.cfg.Secret != "" {
		req.Header.Set(HeaderSignature, SignWebhook(w.cfg.Secret, ts, body))
	}
	return req, nil
}

func webhookMultipart(sum WebhookSummary, a *Attachment) ([]byte, string, error) {
	js, err := json.Marshal(sum)
	if err != nil {
		return nil, "", err
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="summary"`)
	h.Set("Content-Type", "application/json")
	part, err := mw.CreatePart(h)
	if err == nil {
		_, err = part.Write(js)
	}
	if err == nil && a != nil {
		h = textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="bundle"; filename=%q`, safeFileName(a.Name)))
		h.Set("Content-Type", contentType(a))
		if part, err = mw.CreatePart(h); err == nil {
			_, err = part.Write(a.Data)
		}
	}
	if err == nil {
		err = mw.Close()
	}
	return buf.Bytes(), mw.FormDataContentType(), err
}

// SignWebhook returns the signature header value for a timestamp and body:
// "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body)).
func SignWebhook(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + "."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// VerifyWebhook is what a receiver runs: it checks the signature of a call
// (headers and raw body) and that its timestamp is within tolerance of now.
func VerifyWebhook(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	ts := h.Get(HeaderTimestamp)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errors.New("webhook: missing or malformed " + HeaderTimestamp)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("webhook: timestamp %s is outside the %s tolerance", ts, tolerance)
	}
	want := SignWebhook(secret, ts, body)
	if !hmac.Equal([]byte(want), []byte(h.Get(HeaderSignature))) {
		return errors.New("webhook: signature mismatch")
	}
	return nil
}
