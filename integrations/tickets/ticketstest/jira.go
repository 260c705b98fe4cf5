package ticketstest

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// StartJira starts a fake Jira Cloud site (REST v2) that accepts basic auth
// with email:token, creates issues in any project and searches them with
// GET /rest/api/2/search/jql (the retired /rest/api/2/search answers 410).
func StartJira(t testing.TB, email, token string) *Server {
	return startJira(t, email, token, true)
}

// StartJiraDataCenter starts a fake Jira Server or Data Center site: like
// StartJira, but /rest/api/2/search/jql answers 404 and /rest/api/2/search
// searches.
func StartJiraDataCenter(t testing.TB, email, token string) *Server {
	return startJira(t, email, token, false)
}

func startJira(t testing.TB, email, token string, cloud bool) *Server {
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(email+":"+token))
	route := func(s *Server, w http.ResponseWriter, r *http.Request, body []byte) { jiraRoute(s, w, r, body, cloud) }
	return start(t, route, func(r *http.Request) bool { return r.Header.Get("Authorization") == want })
}

func jiraRoute(s *Server, w http.ResponseWriter, r *http.Request, body []byte, cloud bool) {
	if r.Method == http.MethodGet {
		jiraGet(s, w, r, cloud)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/rest/api/2/issue")
	if !ok || r.Method != http.MethodPost {
		writeJSON(w, http.StatusNotFound, `{"errorMessages":["not found"]}`)
		return
	}
	switch {
	case rest == "":
		jiraCreate(s, w, body)
	case strings.HasSuffix(rest, "/attachments"):
		jiraAttach(s, w, r, strings.Trim(strings.TrimSuffix(rest, "/attachments"), "/"), body)
	case strings.HasSuffix(rest, "/comment"):
		var c struct {
			Body string `json:"body"`
		}
		key := strings.Trim(strings.TrimSuffix(rest, "/comment"), "/")
		if json.Unmarshal(body, &c) != nil || c.Body == "" {
			writeJSON(w, http.StatusBadRequest, `{"errors":{"comment":"Comment body can not be empty!"}}`)
			return
		}
		if !s.withIssue(key, func(is *Issue) { is.Comments = append(is.Comments, c.Body) }) {
			writeJSON(w, http.StatusNotFound, `{"errorMessages":["Issue does not exist"]}`)
			return
		}
		writeJSON(w, http.StatusCreated, `{"id":"1"}`)
	default:
		writeJSON(w, http.StatusNotFound, `{"errorMessages":["not found"]}`)
	}
}

// jiraGet serves the searches (Cloud's or Server's) and the comment list.
func jiraGet(s *Server, w http.ResponseWriter, r *http.Request, cloud bool) {
	p := r.URL.Path
	switch {
	case p == "/rest/api/2/search/jql" && cloud, p == "/rest/api/2/search" && !cloud:
		jiraSearch(s, w, r, cloud)
	case p == "/rest/api/2/search":
		writeJSON(w, http.StatusGone, `{"errorMessages":["The requested API has been removed. Please migrate to the /rest/api/2/search/jql API."]}`)
	case strings.HasPrefix(p, "/rest/api/2/issue/") && strings.HasSuffix(p, "/comment"):
		jiraComments(s, w, r, strings.TrimSuffix(strings.TrimPrefix(p, "/rest/api/2/issue/"), "/comment"))
	default:
		writeJSON(w, http.StatusNotFound, `{"errorMessages":["not found"]}`)
	}
}

// jqlLabel is the only JQL the fake understands: a project and a label,
// oldest first.
var jqlLabel = regexp.MustCompile(`^project = "([^"\\]+)" AND labels = "([^"\\]+)" ORDER BY created ASC$`)

// jiraSearch answers a JQL search for a label in a project with the issues'
// keys and the fields asked for (only description is known).
func jiraSearch(s *Server, w http.ResponseWriter, r *http.Request, cloud bool) {
	q := r.URL.Query()
	m := jqlLabel.FindStringSubmatch(q.Get("jql"))
	if m == nil {
		writeJSON(w, http.StatusBadRequest, `{"errorMessages":["Error in the JQL Query: the fake understands project = \"P\" AND labels = \"L\" ORDER BY created ASC"]}`)
		return
	}
	limit, err := strconv.Atoi(cmpOr(q.Get("maxResults"), "50"))
	if err != nil || limit < 0 {
		writeJSON(w, http.StatusBadRequest, `{"errorMessages":["maxResults must be a number"]}`)
		return
	}
	wantDescription := slices.Contains(strings.Split(q.Get("fields"), ","), "description")
	type fields struct {
		Description *string `json:"description,omitempty"`
	}
	type issue struct {
		ID     string `json:"id"`
		Key    string `json:"key"`
		Fields fields `json:"fields"`
	}
	found := []issue{}
	for i, is := range s.Issues() {
		if is.Extra["project"] == m[1] && slices.Contains(is.Labels, m[2]) && len(found) < limit {
			it := issue{ID: strconv.Itoa(10001 + i), Key: is.ID}
			if wantDescription {
				it.Fields.Description = &is.Body
			}
			found = append(found, it)
		}
	}
	answer := map[string]any{"issues": found}
	if cloud {
		answer["isLast"] = true
	} else {
		answer["startAt"], answer["maxResults"], answer["total"] = 0, limit, len(found)
	}
	data, _ := json.Marshal(answer)
	writeJSON(w, http.StatusOK, string(data))
}

// jiraComments lists an issue's comments, newest first with
// orderBy=-created, at most maxResults.
func jiraComments(s *Server, w http.ResponseWriter, r *http.Request, key string) {
	var comments []string
	if !s.withIssue(key, func(is *Issue) { comments = slices.Clone(is.Comments) }) {
		writeJSON(w, http.StatusNotFound, `{"errorMessages":["Issue does not exist or you do not have permission to see it."]}`)
		return
	}
	type comment struct {
		ID      string `json:"id"`
		Body    string `json:"body"`
		Created string `json:"created"`
	}
	list := make([]comment, len(comments))
	for i, c := range comments {
		list[i] = comment{ID: strconv.Itoa(20001 + i), Body: c, Created: time.Date(2026, 11, 3, 10, i, 0, 0, time.UTC).Format("2006-01-02T15:04:05.000-0700")}
	}
	q := r.URL.Query()
	if q.Get("orderBy") == "-created" {
		slices.Reverse(list)
	}
	limit, err := strconv.Atoi(cmpOr(q.Get("maxResults"), "50"))
	if err != nil || limit < 0 {
		writeJSON(w, http.StatusBadRequest, `{"errorMessages":["maxResults must be a number"]}`)
		return
	}
	total := len(list)
	list = list[:min(limit, total)]
	data, _ := json.Marshal(map[string]any{"startAt": 0, "maxResults": limit, "total": total, "comments": list})
	writeJSON(w, http.StatusOK, string(data))
}

func jiraCreate(s *Server, w http.ResponseWriter, body []byte) {
	var req struct {
		Fields struct {
			Project     struct{ Key string }  `json:"project"`
			Summary     string                `json:"summary"`
			Description string                `json:"description"`
			IssueType   struct{ Name string } `json:"issuetype"`
			Labels      []string              `json:"labels"`
		} `json:"fields"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.Fields.Project.Key == "" || req.Fields.Summary == "" || req.Fields.IssueType.Name == "" {
		writeJSON(w, http.StatusBadRequest, `{"errors":{"summary":"You must specify a summary of the issue."}}`)
		return
	}
	f := req.Fields
	for _, l := range f.Labels {
		if strings.ContainsAny(l, " \t") {
			writeJSON(w, http.StatusBadRequest, `{"errors":{"labels":"The label '`+l+`' contains spaces which is invalid."}}`)
			return
		}
	}
	is := s.addIssue(&Issue{Title: f.Summary, Body: f.Description, Labels: f.Labels,
		Extra: map[string]string{"project": f.Project.Key, "issuetype": f.IssueType.Name}},
		func(n int) string { return f.Project.Key + "-" + strconv.Itoa(n) })
	id := strconv.Itoa(10000 + len(s.Issues()))
	writeJSON(w, http.StatusCreated, `{"id":"`+id+`","key":"`+is.ID+`","self":"`+s.URL+`/rest/api/2/issue/`+id+`"}`)
}

func jiraAttach(s *Server, w http.ResponseWriter, r *http.Request, key string, body []byte) {
	if r.Header.Get("X-Atlassian-Token") != "no-check" {
		writeJSON(w, http.StatusForbidden, `{"message":"XSRF check failed"}`)
		return
	}
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		writeJSON(w, http.StatusUnsupportedMediaType, `{"message":"multipart/form-data expected"}`)
		return
	}
	mr := multipart.NewReader(strings.NewReader(string(body)), params["boundary"])
	var files []File
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		data, _ := io.ReadAll(p)
		if p.FormName() == "file" {
			files = append(files, File{Name: p.FileName(), ContentType: p.Header.Get("Content-Type"), Data: data})
		}
	}
	if len(files) == 0 {
		writeJSON(w, http.StatusBadRequest, `{"message":"no file part"}`)
		return
	}
	if !s.withIssue(key, func(is *Issue) { is.Attachments = append(is.Attachments, files...) }) {
		writeJSON(w, http.StatusNotFound, `{"errorMessages":["Issue does not exist"]}`)
		return
	}
	writeJSON(w, http.StatusOK, `[{"filename":"`+files[0].Name+`"}]`)
}
