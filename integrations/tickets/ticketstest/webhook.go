package ticketstest

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/tickets"
)

// StartWebhook starts a receiver of the webhook contract. With a secret it
// refuses (401) calls whose signature or timestamp does not verify, the
// way a real receiver should. It answers a created ticket with 200 and
// {"id": "WH-001", "url": "https://tickets.example/WH-001"}.
func StartWebhook(t testing.TB, secret string) *Server {
	return StartWebhookAnswering(t, secret, func(id string) (int, string) {
		return http.StatusOK, `{"id":"` + id + `","url":"https://tickets.example/` + id + `"}`
	})
}

// StartWebhookAnswering starts a receiver like StartWebhook that answers a
// created ticket with answer's status and body ("": none), as generic
// receivers do in every shape. A comment finds its ticket by the receiver's
// id or by the create call's Idempotency-Key.
func StartWebhookAnswering(t testing.TB, secret string, answer func(id string) (status int, body string)) *Server {
	route := func(s *Server, w http.ResponseWriter, r *http.Request, body []byte) {
		if secret != "" {
			if err := tickets.VerifyWebhook(secret, r.Header, body, time.Now(), 5*time.Minute); err != nil {
				writeJSON(w, http.StatusUnauthorized, `{"error":"`+err.Error()+`"}`)
				return
			}
		}
		webhookRoute(s, w, r, body, answer)
	}
	return start(t, route, nil)
}

func webhookRoute(s *Server, w http.ResponseWriter, r *http.Request, body []byte, answer func(id string) (int, string)) {
	switch r.Header.Get(tickets.HeaderEvent) {
	case tickets.EventCreate:
		_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || params["boundary"] == "" {
			writeJSON(w, http.StatusUnsupportedMediaType, `{"error":"multipart expected"}`)
			return
		}
		var sum tickets.WebhookSummary
		var files []File
		mr := multipart.NewReader(strings.NewReader(string(body)), params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			data, _ := io.ReadAll(p)
			switch p.FormName() {
			case "summary":
				_ = json.Unmarshal(data, &sum)
			case "bundle":
				files = append(files, File{Name: p.FileName(), ContentType: p.Header.Get("Content-Type"), Data: data})
			}
		}
		if sum.Key == "" || sum.Title == "" {
			writeJSON(w, http.StatusBadRequest, `{"error":"summary part with key and title expected"}`)
			return
		}
		is := s.addIssue(&Issue{Title: sum.Title, Body: sum.Markdown, Labels: sum.Labels, Attachments: files,
			Extra: map[string]string{"key": sum.Key, "idempotency_key": r.Header.Get(tickets.HeaderIdempotency)}},
			func(n int) string { return fmt.Sprintf("WH-%03d", n) })
		status, reply := answer(is.ID)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, reply)
	case tickets.EventComment:
		var c tickets.WebhookComment
		if json.Unmarshal(body, &c) != nil || c.ID == "" || c.Markdown == "" {
			writeJSON(w, http.StatusBadRequest, `{"error":"comment with id and markdown expected"}`)
			return
		}
		if !s.withIssue(c.ID, func(is *Issue) { is.Comments = append(is.Comments, c.Markdown) }) &&
			!s.withIdempotencyKey(c.ID, func(is *Issue) { is.Comments = append(is.Comments, c.Markdown) }) {
			writeJSON(w, http.StatusNotFound, `{"error":"no such ticket"}`)
			return
		}
		writeJSON(w, http.StatusOK, `{}`)
	default:
		writeJSON(w, http.StatusBadRequest, `{"error":"unknown event"}`)
	}
}

// withIdempotencyKey runs f on the ticket created with that Idempotency-Key
// under the lock; false when none.
func (s *Server) withIdempotencyKey(key string, f func(is *Issue)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, is := range s.issues {
		if key != "" && is.Extra["idempotency_key"] == key {
			f(is)
			return true
		}
	}
	return false
}
