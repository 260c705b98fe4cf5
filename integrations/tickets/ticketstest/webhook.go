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
// way a real receiver should.
func StartWebhook(t testing.TB, secret string) *Server {
	route := func(s *Server, w http.ResponseWriter, r *http.Request, body []byte) {
		if secret != "" {
			if err := tickets.VerifyWebhook(secret, r.Header, body, time.Now(), 5*time.Minute); err != nil {
				writeJSON(w, http.StatusUnauthorized, `{"error":"`+err.Error()+`"}`)
				return
			}
		}
		webhookRoute(s, w, r, body)
	}
	return start(t, route, nil)
}

func webhookRoute(s *Server, w http.ResponseWriter, r *http.Request, body []byte) {
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
		writeJSON(w, http.StatusOK, `{"id":"`+is.ID+`","url":"https://tickets.example/`+is.ID+`"}`)
	case tickets.EventComment:
		var c tickets.WebhookComment
		if json.Unmarshal(body, &c) != nil || c.ID == "" || c.Markdown == "" {
			writeJSON(w, http.StatusBadRequest, `{"error":"comment with id and markdown expected"}`)
			return
		}
		if !s.withIssue(c.ID, func(is *Issue) { is.Comments = append(is.Comments, c.Markdown) }) {
			writeJSON(w, http.StatusNotFound, `{"error":"no such ticket"}`)
			return
		}
		writeJSON(w, http.StatusOK, `{}`)
	default:
		writeJSON(w, http.StatusBadRequest, `{"error":"unknown event"}`)
	}
}
