package ticketstest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// StartGitHub starts a fake GitHub REST API that accepts "Bearer token" and
// serves issues of repo (owner/name): creating them and their comments, and
// listing them (GET .../issues with labels, state, sort, direction,
// per_page; pull requests included, as GitHub does) and their comments
// (oldest first, per_page and page).
func StartGitHub(t testing.TB, token, repo string) *Server {
	route := func(s *Server, w http.ResponseWriter, r *http.Request, body []byte) { githubRoute(s, w, r, body, repo) }
	return start(t, route, func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer "+token })
}

func githubRoute(s *Server, w http.ResponseWriter, r *http.Request, body []byte, repo string) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/repos/"+repo+"/issues")
	if !ok || (r.Method != http.MethodPost && r.Method != http.MethodGet) {
		writeJSON(w, http.StatusNotFound, `{"message":"Not Found"}`)
		return
	}
	if r.Header.Get("Accept") != "application/vnd.github+json" {
		writeJSON(w, http.StatusBadRequest, `{"message":"Accept: application/vnd.github+json expected"}`)
		return
	}
	if r.Method == http.MethodGet {
		githubList(s, w, r, rest, repo)
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

// githubList serves the issue list (rest "") and an issue's comments
// (rest "/N/comments").
func githubList(s *Server, w http.ResponseWriter, r *http.Request, rest, repo string) {
	q := r.URL.Query()
	perPage, err1 := strconv.Atoi(cmpOr(q.Get("per_page"), "30"))
	page, err2 := strconv.Atoi(cmpOr(q.Get("page"), "1"))
	if err1 != nil || err2 != nil || perPage < 1 || perPage > 100 || page < 1 {
		writeJSON(w, http.StatusUnprocessableEntity, `{"message":"Validation Failed"}`)
		return
	}
	if n, ok := strings.CutSuffix(strings.TrimPrefix(rest, "/"), "/comments"); ok {
		var comments []string
		if !s.withIssue(n, func(is *Issue) { comments = slices.Clone(is.Comments) }) {
			writeJSON(w, http.StatusNotFound, `{"message":"Not Found"}`)
			return
		}
		type comment struct {
			ID   int    `json:"id"`
			Body string `json:"body"`
		}
		out := []comment{}
		for i, c := range paged(comments, page, perPage) {
			out = append(out, comment{ID: 30001 + (page-1)*perPage + i, Body: c})
		}
		data, _ := json.Marshal(out)
		writeJSON(w, http.StatusOK, string(data))
		return
	}
	if rest != "" {
		writeJSON(w, http.StatusNotFound, `{"message":"Not Found"}`)
		return
	}
	want := strings.Split(q.Get("labels"), ",")
	var matching []Issue
	for _, is := range s.Issues() {
		if q.Get("labels") == "" || !slices.ContainsFunc(want, func(l string) bool { return !slices.Contains(is.Labels, l) }) {
			matching = append(matching, is)
		}
	}
	if q.Get("direction") != "asc" { // GitHub's default: newest first
		slices.Reverse(matching)
	}
	out := []map[string]any{}
	for _, is := range paged(matching, page, perPage) {
		labels := []map[string]string{}
		for _, l := range is.Labels {
			labels = append(labels, map[string]string{"name": l})
		}
		item := map[string]any{"number": json.Number(is.ID), "title": is.Title, "body": is.Body, "state": "open",
			"labels": labels, "comments": len(is.Comments), "html_url": "https://github.example/" + repo + "/issues/" + is.ID}
		if is.PullRequest {
			item["html_url"] = "https://github.example/" + repo + "/pull/" + is.ID
			item["pull_request"] = map[string]string{"url": "https://api.github.example/repos/" + repo + "/pulls/" + is.ID}
		}
		out = append(out, item)
	}
	data, _ := json.Marshal(out)
	writeJSON(w, http.StatusOK, string(data))
}

// paged is page (from 1) of items, perPage a page.
func paged[T any](items []T, page, perPage int) []T {
	from := min((page-1)*perPage, len(items))
	return items[from:min(from+perPage, len(items))]
}
