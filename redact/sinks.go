package redact

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/caracal-bot/caracal-bot/chat"
)

// Reply returns r with secrets removed from every text it carries: the
// summary, fields, sections (titles, text, items and their links, tables),
// buttons and text files. Binary files (a bundle zip, built by a scrubbing
// bundle.Build) lose only configured secrets. r itself is not modified.
func (s *Scrubber) Reply(r chat.Reply) (chat.Reply, []Hit) {
	var hits []Hit
	str := func(v string) string {
		out, h := s.Text(v)
		hits = append(hits, h...)
		return out
	}
	out := r
	out.Summary = str(r.Summary)
	out.Fields = make([]chat.Field, len(r.Fields))
	for i, f := range r.Fields {
		out.Fields[i] = chat.Field{Label: str(f.Label), Value: str(f.Value)}
	}
	out.Sections = make([]chat.Section, len(r.Sections))
	for i, sec := range r.Sections {
		c := chat.Section{Title: str(sec.Title), Text: str(sec.Text), Items: make([]chat.Item, len(sec.Items))}
		for j, it := range sec.Items {
			c.Items[j] = chat.Item{Mark: it.Mark, Text: str(it.Text), URL: str(it.URL)}
		}
		if sec.Table != nil {
			t := &chat.Table{Header: make([]string, len(sec.Table.Header)), Rows: make([][]string, len(sec.Table.Rows))}
			for j, h := range sec.Table.Header {
				t.Header[j] = str(h)
			}
			for j, row := range sec.Table.Rows {
				t.Rows[j] = make([]string, len(row))
				for k, cell := range row {
					t.Rows[j][k] = str(cell)
				}
			}
			c.Table = t
		}
		out.Sections[i] = c
	}
	out.Buttons = make([]chat.Button, len(r.Buttons))
	for i, b := range r.Buttons {
		out.Buttons[i] = chat.Button{Action: b.Action, Label: str(b.Label), Value: str(b.Value), Style: b.Style}
	}
	out.Files = make([]chat.File, len(r.Files))
	for i, f := range r.Files {
		c := chat.File{Name: str(f.Name), ContentType: f.ContentType, Data: f.Data}
		if textual(f.ContentType, f.Name) {
			c.Data = []byte(str(string(f.Data)))
		} else if data, n := s.Known(f.Data); n > 0 {
			c.Data = data
			for range n {
				hits = append(hits, Hit{Kind: KindConfigured})
			}
		}
		out.Files[i] = c
	}
	return out, hits
}

// textual reports whether a file is text the scrubber can read whole.
func textual(contentType, name string) bool {
	ct := strings.ToLower(contentType)
	if strings.HasPrefix(ct, "text/") || strings.Contains(ct, "json") || strings.Contains(ct, "markdown") {
		return true
	}
	for _, ext := range []string{".txt", ".md", ".json", ".log", ".csv"} {
		if strings.HasSuffix(strings.ToLower(name), ext) {
			return true
		}
	}
	return false
}

// NewWriter returns a writer that scrubs every Write before passing it
// on: the CLI's standard output and error, and the log stream. Writers in
// this program write whole lines or documents at a time, which is what
// lets a secret be recognised whole.
func NewWriter(w io.Writer, s *Scrubber) io.Writer { return writer{w: w, s: s} }

type writer struct {
	w io.Writer
	s *Scrubber
}

func (w writer) Write(p []byte) (int, error) {
	if _, err := io.WriteString(w.w, w.s.String(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// NewHandler returns a slog.Handler that scrubs every record's message and
// attributes (strings, errors and structured values, at any depth of
// groups) before next sees it, whatever next's format and level.
func NewHandler(next slog.Handler, s *Scrubber) slog.Handler { return handler{next: next, s: s} }

type handler struct {
	next slog.Handler
	s    *Scrubber
}

func (h handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.s.String(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h handler) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = h.attr(a)
	}
	return handler{next: h.next.WithAttrs(clean), s: h.s}
}

func (h handler) WithGroup(name string) slog.Handler {
	return handler{next: h.next.WithGroup(name), s: h.s}
}

// attr scrubs one attribute: a value under a secret key goes whole.
func (h handler) attr(a slog.Attr) slog.Attr {
	a.Key = h.s.String(a.Key)
	v := a.Value.Resolve()
	if SecretKey(a.Key) && v.Kind() != slog.KindGroup {
		return slog.String(a.Key, Redacted)
	}
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.s.String(v.String()))
	case slog.KindGroup:
		group := v.Group()
		clean := make([]slog.Attr, len(group))
		for i, g := range group {
			clean[i] = h.attr(g)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(clean...)}
	case slog.KindAny:
		return slog.Attr{Key: a.Key, Value: h.any(v.Any())}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// any scrubs a structured value: errors and Stringers become their
// scrubbed text, values JSON can encode keep their structure.
func (h handler) any(v any) slog.Value {
	switch t := v.(type) {
	case error:
		return slog.StringValue(h.s.String(t.Error()))
	case interface{ String() string }:
		return slog.StringValue(h.s.String(t.String()))
	case []byte:
		return slog.StringValue(h.s.String(string(t)))
	}
	if _, err := json.Marshal(v); err != nil {
		return slog.StringValue(Redacted)
	}
	clean, _ := h.s.Value(v)
	return slog.AnyValue(clean)
}

// NewTransport returns a RoundTripper that removes s's configured secrets
// from every request body before base sends it: the last guard on what
// leaves for Slack, Discord and the ticket systems. Build s with Except to
// let a client's own credential reach its service; headers and URLs, which
// carry that credential, are never touched. A body changed here was built
// with a secret in it: a signed webhook body then fails its signature,
// which loses the delivery rather than the secret.
func NewTransport(base http.RoundTripper, s *Scrubber) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return transport{base: base, s: s}
}

type transport struct {
	base http.RoundTripper
	s    *Scrubber
}

func (t transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return t.base.RoundTrip(req)
	}
	body, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, errors.New("redact: reading the request body: " + err.Error())
	}
	body, _ = t.s.Known(body)
	out := req.Clone(req.Context())
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.ContentLength = int64(len(body))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	if req.Header.Get("Content-Length") != "" {
		out.Header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	return t.base.RoundTrip(out)
}

// Middleware scrubs every response next writes: the acknowledgements
// Slack and Discord receive and the ops endpoints (/readyz reports
// Caracal's own reasons, which may echo a credential). Responses are
// buffered whole and sent uncompressed.
func Middleware(next http.Handler, s *Scrubber) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Del("Accept-Encoding")
		rec := &recorder{header: w.Header(), status: http.StatusOK}
		next.ServeHTTP(rec, r)
		body := []byte(s.String(rec.body.String()))
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.status)
		_, _ = w.Write(body)
	})
}

// recorder buffers a response until the handler returns.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.wrote = true
	return r.body.Write(p)
}
