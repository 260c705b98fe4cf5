package discordfake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// Discord's limits, checked on every message the fake receives.
const (
	maxContent      = 2000
	maxEmbeds       = 10
	maxTitle        = 256
	maxDescription  = 4096
	maxFields       = 25
	maxFieldName    = 256
	maxFieldValue   = 1024
	maxFooter       = 2048
	maxEmbedTotal   = 6000
	maxRows         = 5
	maxRowButtons   = 5
	maxCustomID     = 100
	maxLabel        = 80
	maxFiles        = 10
	maxUploadBytes  = 10 << 20
	maxRequestBytes = 32 << 20
)

// payload is a message body: JSON, or multipart with payload_json and files[n].
type payload struct {
	raw    []byte // the JSON
	files  []File
	msg    messageFields
	fields map[string]json.RawMessage // the message fields as sent
}

// messageFields are the message fields of a payload; nil pointers were absent.
type messageFields struct {
	Content         *string                           `json:"content"`
	Embeds          *[]*discordgo.MessageEmbed        `json:"embeds"`
	Components      json.RawMessage                   `json:"components"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	Flags           int                               `json:"flags"`
}

// readPayload reads a JSON or multipart body; for an interaction callback
// the message fields are under "data".
func readPayload(r *http.Request, underData bool) (*payload, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes))
	if err != nil {
		return nil, err
	}
	p := &payload{raw: body}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		if p.raw, p.files, err = readMultipart(body, params["boundary"]); err != nil {
			return nil, err
		}
	}
	if len(bytes.TrimSpace(p.raw)) == 0 {
		p.raw = []byte("{}")
	}
	msg := p.raw
	if underData {
		var cb struct {
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(p.raw, &cb); err != nil {
			return nil, fmt.Errorf("payload is not JSON: %w", err)
		}
		if msg = cb.Data; len(msg) == 0 || string(msg) == "null" {
			msg = []byte("{}")
		}
	}
	if err := json.Unmarshal(msg, &p.msg); err != nil {
		return nil, fmt.Errorf("payload is not JSON: %w", err)
	}
	if err := json.Unmarshal(msg, &p.fields); err != nil {
		return nil, fmt.Errorf("payload is not a JSON object: %w", err)
	}
	return p, nil
}

func readMultipart(body []byte, boundary string) ([]byte, []File, error) {
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	var raw []byte
	var files []File
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return raw, files, nil
		}
		if err != nil {
			return nil, nil, err
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return nil, nil, err
		}
		switch name := part.FormName(); {
		case name == "payload_json":
			raw = data
		case strings.HasPrefix(name, "files["):
			files = append(files, File{Name: part.FileName(), ContentType: part.Header.Get("Content-Type"), Data: data})
		}
	}
}

// check validates the message against Discord's limits; creating also
// refuses an empty message. It returns the JSON error code and message.
func (p *payload) check(creating bool) (int, string) {
	m := p.msg
	content := ""
	if m.Content != nil {
		content = *m.Content
	}
	var embeds []*discordgo.MessageEmbed
	if m.Embeds != nil {
		embeds = *m.Embeds
	}
	comps := strings.TrimSpace(string(m.Components))
	hasComps := comps != "" && comps != "null" && comps != "[]"
	if creating && content == "" && len(embeds) == 0 && len(p.files) == 0 && !hasComps {
		return CodeEmptyMessage, codeMessage(CodeEmptyMessage)
	}
	if n := utf8.RuneCountInString(content); n > maxContent {
		return invalid("content: must be %d or fewer in length, got %d", maxContent, n)
	}
	if code, msg := checkEmbeds(embeds); code != 0 {
		return code, msg
	}
	if hasComps {
		if code, msg := checkComponents(m.Components); code != 0 {
			return code, msg
		}
	}
	if len(p.files) > maxFiles {
		return invalid("files: at most %d, got %d", maxFiles, len(p.files))
	}
	return 0, ""
}

func checkEmbeds(embeds []*discordgo.MessageEmbed) (int, string) {
	if len(embeds) > maxEmbeds {
		return invalid("embeds: at most %d", maxEmbeds)
	}
	total := 0
	for i, e := range embeds {
		if e == nil {
			return invalid("embeds.%d: null", i)
		}
		n := func(s string) int { c := utf8.RuneCountInString(s); total += c; return c }
		if n(e.Title) > maxTitle || n(e.Description) > maxDescription {
			return invalid("embeds.%d: title over %d or description over %d characters", i, maxTitle, maxDescription)
		}
		if e.Footer != nil && n(e.Footer.Text) > maxFooter {
			return invalid("embeds.%d.footer.text: over %d characters", i, maxFooter)
		}
		if len(e.Fields) > maxFields {
			return invalid("embeds.%d.fields: at most %d", i, maxFields)
		}
		for j, f := range e.Fields {
			if name, value := n(f.Name), n(f.Value); name == 0 || name > maxFieldName || value == 0 || value > maxFieldValue {
				return invalid("embeds.%d.fields.%d: name must be 1-%d and value 1-%d characters", i, j, maxFieldName, maxFieldValue)
			}
		}
	}
	if total > maxEmbedTotal {
		return invalid("embeds: %d characters in all, over %d", total, maxEmbedTotal)
	}
	return 0, ""
}

func checkComponents(raw json.RawMessage) (int, string) {
	var rows []struct {
		Type       int `json:"type"`
		Components []struct {
			Type     int    `json:"type"`
			CustomID string `json:"custom_id"`
			Label    string `json:"label"`
			Style    int    `json:"style"`
			URL      string `json:"url"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &rows); err != nil {
		return invalid("components: %v", err)
	}
	if len(rows) > maxRows {
		return invalid("components: at most %d action rows", maxRows)
	}
	seen := map[string]bool{}
	for i, r := range rows {
		if r.Type != int(discordgo.ActionsRowComponent) || len(r.Components) == 0 || len(r.Components) > maxRowButtons {
			return invalid("components.%d: an action row holds 1-%d buttons", i, maxRowButtons)
		}
		for j, b := range r.Components {
			switch {
			case b.Type != int(discordgo.ButtonComponent):
				return invalid("components.%d.components.%d: not a button", i, j)
			case utf8.RuneCountInString(b.Label) > maxLabel:
				return invalid("components.%d.components.%d.label: over %d characters", i, j, maxLabel)
			case b.Style == int(discordgo.LinkButton):
				if b.URL == "" {
					return invalid("components.%d.components.%d.url: required", i, j)
				}
			case b.Style < 1 || b.Style > 4:
				return invalid("components.%d.components.%d.style: unknown", i, j)
			case b.CustomID == "" || utf8.RuneCountInString(b.CustomID) > maxCustomID:
				return invalid("components.%d.components.%d.custom_id: must be 1-%d characters", i, j, maxCustomID)
			case seen[b.CustomID]:
				return invalid("components.%d.components.%d.custom_id: duplicate %q", i, j, b.CustomID)
			}
			seen[b.CustomID] = true
		}
	}
	return 0, ""
}

func invalid(format string, args ...any) (int, string) {
	return CodeInvalidFormBody, "Invalid Form Body: " + fmt.Sprintf(format, args...)
}

// fileBytes is the total size of files.
func fileBytes(files []File) int {
	n := 0
	for _, f := range files {
		n += len(f.Data)
	}
	return n
}
