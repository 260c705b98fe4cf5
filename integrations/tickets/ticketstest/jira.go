package ticketstest

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// StartJira starts a fake Jira site (REST v2) that accepts basic auth with
// email:token and creates issues in any project.
func StartJira(t testing.TB, email, token string) *Server {
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(email+":"+token))
	return start(t, jiraRoute, func(r *http.Request) bool { return r.Header.Get("Authorization") == want })
}

func jiraRoute(s *Server, w http.ResponseWriter, r *http.Request, body []byte) {
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
