package ticketstest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// StartGitHub starts a fake GitHub REST API that accepts "Bearer token" and
// serves issues of repo (owner/name).
func StartGitHub(t testing.TB, token, repo string) *Server {
	route := func(s *Server, w http.ResponseWriter, r *http.Request, body []byte) { githubRoute(s, w, r, body, repo) }
	return start(t, route, func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer "+token })
}

func githubRoute(s *Server, w http.ResponseWriter, r *http.Request, body []byte, repo string) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/repos/"+repo+"/issues")
	if !ok || r.Method != http.MethodPost {
		writeJSON(w, http.StatusNotFound, `{"message":"Not Found"}`)
		return
	}
	if r.Header.Get("Accept") != "application/vnd.github+json" {
		writeJSON(w, http.StatusBadRequest, `{"message":"Accept: application/vnd.github+json expected"}`)
		return
	}
	if rest == "" {
		var req struct {
			Title  string   `json:"title"`
			Body   string   `json:"body"`
			Labels []string `json:"labels"`
		}
		if json.Unmarshal(body, &req) != nil || req.Title == "" {
			writeJSON(w, http.StatusUnprocessableEntity, `{"message":"Validation Failed"}`)
			return
		}
		is := s.addIssue(&Issue{Title: req.Title, Body: req.Body, Labels: req.Labels}, strconv.Itoa)
		writeJSON(w, http.StatusCreated, `{"number":`+is.ID+`,"html_url":"https://github.example/`+repo+`/issues/`+is.ID+`"}`)
		return
	}
	n, ok := strings.CutSuffix(strings.TrimPrefix(rest, "/"), "/comments")
	var req struct {
		Body string `json:"body"`
	}
	if !ok || json.Unmarshal(body, &req) != nil || req.Body == "" {
		writeJSON(w, http.StatusUnprocessableEntity, `{"message":"Validation Failed"}`)
		return
	}
	if !s.withIssue(n, func(is *Issue) { is.Comments = append(is.Comments, req.Body) }) {
		writeJSON(w, http.StatusNotFound, `{"message":"Not Found"}`)
		return
	}
	writeJSON(w, http.StatusCreated, `{"id":1}`)
}
