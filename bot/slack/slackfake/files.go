package slackfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
)

// maxUpload bounds what the fake accepts in one upload POST or response_url post.
const maxUpload = 32 << 20

// getUploadURL is step 1 of files upload v2: a file ID and an upload URL
// on the fake's own host (slack-go sends its token only to the API host).
func (s *Server) getUploadURL(r *http.Request) result {
	name := r.Form.Get("filename")
	length, err := strconv.Atoi(r.Form.Get("length"))
	if name == "" || err != nil || length <= 0 {
		return fail("invalid_arguments")
	}
	s.mu.Lock()
	s.seq++
	id := fmt.Sprintf("F%08d", s.seq)
	s.uploads[id] = &File{ID: id, Name: name, Length: length}
	s.mu.Unlock()
	return ok(map[string]any{"file_id": id, "upload_url": s.URL() + "upload/" + id})
}

// uploadBytes is step 2: the multipart POST of the bytes to the upload URL.
func (s *Server) uploadBytes(w http.ResponseWriter, r *http.Request) {
	s.countCall("files.upload")
	if s.applyFault(w, "files.upload", "") {
		return
	}
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	id := strings.TrimPrefix(r.URL.Path, "/upload/")
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	f, _, err := r.FormFile("file")
	if err != nil {
		http.Error(w, "no file", http.StatusBadRequest)
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		http.Error(w, "unreadable file", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	up, found := s.uploads[id]
	if found {
		up.Data, up.Uploaded = data, true
	}
	s.mu.Unlock()
	if !found {
		http.Error(w, "unknown upload", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintf(w, "OK - %d", len(data))
}

// completeUpload is step 3: share the uploaded files in a channel (and thread).
func (s *Server) completeUpload(r *http.Request) result {
	var summaries []slack.FileSummary
	if err := json.Unmarshal([]byte(r.Form.Get("files")), &summaries); err != nil || len(summaries) == 0 {
		return fail("invalid_arguments")
	}
	channel := r.Form.Get("channel_id")
	if channel != "" {
		if code := s.channelError(channel); code != "" {
			return fail(code)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sum := range summaries {
		up, found := s.uploads[sum.ID]
		if !found || !up.Uploaded {
			return fail("file_not_found")
		}
		if len(up.Data) != up.Length {
			return fail("file_size_mismatch")
		}
	}
	var out []map[string]any
	for _, sum := range summaries {
		up := s.uploads[sum.ID]
		delete(s.uploads, sum.ID)
		up.Title = sum.Title
		up.Channel, up.ThreadTS, up.InitialComment = channel, r.Form.Get("thread_ts"), r.Form.Get("initial_comment")
		s.files = append(s.files, *up)
		out = append(out, map[string]any{"id": up.ID, "title": up.Title})
	}
	return ok(map[string]any{"files": out})
}

// responseURL records a post to a response URL made by ResponseURL.
func (s *Server) responseURL(w http.ResponseWriter, r *http.Request) {
	s.countCall("response_url")
	if s.applyFault(w, "response_url", "") {
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxUpload))
	if err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	var msg struct {
		ResponseType    string          `json:"response_type"`
		ReplaceOriginal bool            `json:"replace_original"`
		Text            string          `json:"text"`
		Blocks          json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(body, &msg); err != nil {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	blocks, blocksJSON, refused := s.received("response_url", "", msg.Text, string(msg.Blocks))
	if refused != "" {
		writeJSON(w, map[string]any{"ok": false, "error": refused})
		return
	}
	id := strings.TrimPrefix(r.URL.EscapedPath(), "/response/")
	s.mu.Lock()
	s.responses = append(s.responses, ResponsePost{ID: id, ResponseType: msg.ResponseType, ReplaceOriginal: msg.ReplaceOriginal,
		Text: msg.Text, Blocks: blocks, BlocksJSON: blocksJSON, Body: body})
	s.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true})
}
