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

	d "github.com/caracal-bot/caracal-bot/bot/discord/discordapi"
)

// maxRequestBytes bounds what the fake reads of a request body.
const maxRequestBytes = 32 << 20

// payload is a message body: JSON, or multipart with payload_json and files[n].
type payload struct {
	raw    []byte // the JSON
	files  []File
	msg    messageFields
	fields map[string]json.RawMessage // the message fields as sent
	// callbackType is an interaction response's type (0 for other bodies).
	callbackType int
}

// messageFields are the message fields of a payload; nil pointers were absent.
type messageFields struct {
	Content         *string                           `json:"content"`
	Embeds          *[]*discordgo.MessageEmbed        `json:"embeds"`
	Components      json.RawMessage                   `json:"components"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	Attachments     []struct{ ID json.Number }        `json:"attachments"`
	Flags           int                               `json:"flags"`
}

// problem is why Discord would refuse a request: its HTTP status, JSON
// error code, the field at fault ("" for the whole body) and what is wrong.
type problem struct {
	status, code int
	path, msg    string
}

// invalid is a 400 Invalid Form Body (50035) at path.
func invalid(path, format string, args ...any) *problem {
	return &problem{status: http.StatusBadRequest, code: CodeInvalidFormBody, path: path, msg: fmt.Sprintf(format, args...)}
}

// readPayload reads a JSON or multipart body; for an interaction callback
// (underData) the message fields are under "data".
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
			Type int             `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(p.raw, &cb); err != nil {
			return nil, fmt.Errorf("payload is not JSON: %w", err)
		}
		p.callbackType = cb.Type
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

// check validates the payload of route as Discord would: the fields its
// body may have (no null anywhere), the limits of messages, embeds and
// buttons, the upload limit, and from API v10 that an edit carrying
// files lists them in attachments. creating (and a type 4 callback) also
// refuses an empty message.
func (p *payload) check(route string, creating bool) *problem {
	if path, msg := checkShape(p.raw, bodyShapes[route]); msg != "" {
		return invalid(path, "%s", msg)
	}
	if route == RouteCallback {
		creating = p.callbackType == callbackMessage
		data, _ := json.Marshal(p.fields)
		sh := callbackDataShape(p.callbackType)
		if sh == nil && len(p.fields) > 0 {
			return invalid("data", "a type %d response has no data", p.callbackType)
		}
		if sh != nil {
			if path, msg := checkShape(data, sh); msg != "" {
				return invalid(join("data", path), "%s", msg)
			}
		}
	}
	if fileBytes(p.files) > d.MaxUploadBytes {
		return &problem{status: http.StatusRequestEntityTooLarge, code: 40005, msg: "Request entity too large"}
	}
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
		return &problem{status: http.StatusBadRequest, code: CodeEmptyMessage, msg: codeMessage(CodeEmptyMessage)}
	}
	if n := utf8.RuneCountInString(content); n > d.MaxContent {
		return invalid("content", "must be %d or fewer in length, got %d", d.MaxContent, n)
	}
	if pr := checkEmbeds(embeds); pr != nil {
		return pr
	}
	if hasComps {
		if pr := checkComponents(m.Components); pr != nil {
			return pr
		}
	}
	if len(p.files) > d.MaxFiles {
		return invalid("files", "at most %d, got %d", d.MaxFiles, len(p.files))
	}
	if (route == RouteEditMessage || route == RouteEditOriginal) && len(p.files) > 0 {
		listed := map[string]bool{}
		for _, a := range m.Attachments {
			listed[a.ID.String()] = true
		}
		for i := range p.files {
			if !listed[fmt.Sprint(i)] {
				return invalid("attachments", "files[%d] is not listed: from API v10 an edit keeps only the attachments it lists", i)
			}
		}
	}
	return nil
}

func checkEmbeds(embeds []*discordgo.MessageEmbed) *problem {
	if len(embeds) > d.MaxEmbeds {
		return invalid("embeds", "at most %d", d.MaxEmbeds)
	}
	total := 0
	for i, e := range embeds {
		at := func(field string) string { return fmt.Sprintf("embeds.%d.%s", i, field) }
		if e == nil {
			return invalid(at(""), "null")
		}
		n := func(s string) int { c := utf8.RuneCountInString(s); total += c; return c }
		if n(e.Title) > d.MaxEmbedTitle {
			return invalid(at("title"), "over %d characters", d.MaxEmbedTitle)
		}
		if n(e.Description) > d.MaxEmbedDescription {
			return invalid(at("description"), "over %d characters", d.MaxEmbedDescription)
		}
		if e.Footer != nil && n(e.Footer.Text) > d.MaxFooterText {
			return invalid(at("footer.text"), "over %d characters", d.MaxFooterText)
		}
		if e.Author != nil && n(e.Author.Name) > d.MaxAuthorName {
			return invalid(at("author.name"), "over %d characters", d.MaxAuthorName)
		}
		if len(e.Fields) > d.MaxEmbedFields {
			return invalid(at("fields"), "at most %d", d.MaxEmbedFields)
		}
		for j, f := range e.Fields {
			if name, value := n(f.Name), n(f.Value); name == 0 || name > d.MaxFieldName || value == 0 || value > d.MaxFieldValue {
				return invalid(at(fmt.Sprintf("fields.%d", j)), "name must be 1-%d and value 1-%d characters", d.MaxFieldName, d.MaxFieldValue)
			}
		}
	}
	if total > d.MaxEmbedTotal {
		return invalid("embeds", "%d characters in all, over %d", total, d.MaxEmbedTotal)
	}
	return nil
}

func checkComponents(raw json.RawMessage) *problem {
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
		return invalid("components", "%v", err)
	}
	if len(rows) > d.MaxActionRows {
		return invalid("components", "at most %d action rows", d.MaxActionRows)
	}
	seen := map[string]bool{}
	for i, r := range rows {
		if r.Type != int(discordgo.ActionsRowComponent) || len(r.Components) == 0 || len(r.Components) > d.MaxButtonsPerRow {
			return invalid(fmt.Sprintf("components.%d", i), "an action row holds 1-%d buttons", d.MaxButtonsPerRow)
		}
		for j, b := range r.Components {
			at := fmt.Sprintf("components.%d.components.%d", i, j)
			switch {
			case b.Type != int(discordgo.ButtonComponent):
				return invalid(at, "not a button")
			case utf8.RuneCountInString(b.Label) > d.MaxButtonLabel:
				return invalid(at+".label", "over %d characters", d.MaxButtonLabel)
			case b.Style == int(discordgo.LinkButton):
				if b.URL == "" {
					return invalid(at+".url", "required")
				}
			case b.Style < 1 || b.Style > 4:
				return invalid(at+".style", "unknown")
			case b.CustomID == "" || utf8.RuneCountInString(b.CustomID) > d.MaxCustomID:
				return invalid(at+".custom_id", "must be 1-%d characters", d.MaxCustomID)
			case seen[b.CustomID]:
				return invalid(at+".custom_id", "duplicate %q", b.CustomID)
			}
			seen[b.CustomID] = true
		}
	}
	return nil
}

// fileBytes is the total size of files.
func fileBytes(files []File) int {
	n := 0
	for _, f := range files {
		n += len(f.Data)
	}
	return n
}
