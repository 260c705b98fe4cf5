package discord

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/bwmarrin/discordgo"
)

// The request bodies the bot sends, each with only the fields Discord's
// API v10 defines for its call. discordgo v0.29.0's own types send more:
// "invitable" when starting a thread from a message (it belongs to threads
// without one), its struct fields "ID" and "Channel" in a message edit,
// "sticker_ids": null in a new message, and null "options", "choices" and
// "channel_types" in command options. These go out through the session's
// request functions, so its rate limiter, transport and errors stay.

// allowedMentions is the allowed_mentions of every message the bot sends:
// nothing is parsed, so no @everyone, @here, user or role ping.
type allowedMentions struct {
	Parse []string `json:"parse"`
}

func noMentions() *allowedMentions { return &allowedMentions{Parse: []string{}} }

// attachment names a file of the request (files[n], id n): from API v10 an
// edit keeps only the attachments it lists.
type attachment struct {
	ID       int    `json:"id"`
	Filename string `json:"filename"`
}

// messageBody creates or edits a message, a followup or @original.
type messageBody struct {
	// Content is sent even empty, so an edit clears it.
	Content string                    `json:"content"`
	Embeds  []*discordgo.MessageEmbed `json:"embeds"`
	// Components is never nil, so an edit clears old buttons.
	Components      []discordgo.MessageComponent `json:"components"`
	AllowedMentions *allowedMentions             `json:"allowed_mentions"`
	Attachments     []attachment                 `json:"attachments,omitempty"`
	Flags           discordgo.MessageFlags       `json:"flags,omitempty"`
}

// body is m as a request body with its files; flags 64 makes a followup
// ephemeral.
func (m Message) body(flags discordgo.MessageFlags) (messageBody, []*discordgo.File) {
	b := messageBody{Content: m.Content, Embeds: m.Embeds, Components: m.Components, AllowedMentions: noMentions(), Flags: flags}
	if b.Embeds == nil {
		b.Embeds = []*discordgo.MessageEmbed{}
	}
	if b.Components == nil {
		b.Components = []discordgo.MessageComponent{}
	}
	files := m.files()
	for i, f := range files {
		b.Attachments = append(b.Attachments, attachment{ID: i, Filename: f.Name})
	}
	return b, files
}

// files are fresh discordgo files for one attempt: a retried request must
// send the bytes again.
func (m Message) files() []*discordgo.File {
	var out []*discordgo.File
	for _, f := range m.Files {
		ct := f.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		out = append(out, &discordgo.File{Name: fileName(f.Name), ContentType: ct, Reader: bytes.NewReader(f.Data)})
	}
	return out
}

// threadBody starts a thread from a message
// (POST /channels/{channel.id}/messages/{message.id}/threads).
type threadBody struct {
	Name                string `json:"name"`
	AutoArchiveDuration int    `json:"auto_archive_duration"`
}

// callback is an interaction response, the body of an HTTP interaction's
// answer and of the gateway's callback.
type callback struct {
	Type discordgo.InteractionResponseType `json:"type"`
	Data *callbackData                     `json:"data,omitempty"`
}

// callbackData is the message of a type 4 callback.
type callbackData struct {
	Content         string                 `json:"content"`
	Flags           discordgo.MessageFlags `json:"flags,omitempty"`
	AllowedMentions *allowedMentions       `json:"allowed_mentions"`
}

// commandBody is an application command of a bulk overwrite. A message
// command has no description: Discord refuses the field on it, even empty.
type commandBody struct {
	Name             string                                 `json:"name"`
	Type             discordgo.ApplicationCommandType       `json:"type,omitempty"`
	Description      string                                 `json:"description,omitempty"`
	MemberPerms      *string                                `json:"default_member_permissions,omitempty"`
	Contexts         []discordgo.InteractionContextType     `json:"contexts,omitempty"`
	IntegrationTypes []discordgo.ApplicationIntegrationType `json:"integration_types,omitempty"`
	Options          []optionBody                           `json:"options,omitempty"`
}

// optionBody is an option (or subcommand) of a command.
type optionBody struct {
	Type        discordgo.ApplicationCommandOptionType `json:"type"`
	Name        string                                 `json:"name"`
	Description string                                 `json:"description"`
	Required    bool                                   `json:"required,omitempty"`
	Options     []optionBody                           `json:"options,omitempty"`
	Choices     []choiceBody                           `json:"choices,omitempty"`
	MinValue    *float64                               `json:"min_value,omitempty"`
	MaxValue    float64                                `json:"max_value,omitempty"`
	MaxLength   int                                    `json:"max_length,omitempty"`
}

// choiceBody is a choice of a string option.
type choiceBody struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

// commandBodyOf is c as a request body: the fields the bot's command
// definition uses.
func commandBodyOf(c *discordgo.ApplicationCommand) commandBody {
	b := commandBody{Name: c.Name, Type: c.Type, Description: c.Description, Options: optionBodies(c.Options)}
	if c.DefaultMemberPermissions != nil {
		b.MemberPerms = ptr(fmt.Sprint(*c.DefaultMemberPermissions))
	}
	if c.Contexts != nil {
		b.Contexts = *c.Contexts
	}
	if c.IntegrationTypes != nil {
		b.IntegrationTypes = *c.IntegrationTypes
	}
	return b
}

func optionBodies(opts []*discordgo.ApplicationCommandOption) []optionBody {
	var out []optionBody
	for _, o := range opts {
		b := optionBody{Type: o.Type, Name: o.Name, Description: o.Description, Required: o.Required,
			Options: optionBodies(o.Options), MinValue: o.MinValue, MaxValue: o.MaxValue, MaxLength: o.MaxLength}
		for _, c := range o.Choices {
			b.Choices = append(b.Choices, choiceBody{Name: c.Name, Value: c.Value})
		}
		out = append(out, b)
	}
	return out
}

// request sends body as JSON (multipart with payload_json when there are
// files) through the session, in the rate-limit bucket of discordgo's own
// call, and decodes the answer into out unless out is nil.
func request(s *discordgo.Session, method, url, bucket string, body any, files []*discordgo.File, out any, opts ...discordgo.RequestOption) error {
	var resp []byte
	var err error
	if len(files) > 0 {
		contentType, raw, encErr := discordgo.MultipartBodyWithJSON(body, files)
		if encErr != nil {
			return encErr
		}
		resp, err = s.RequestRaw(method, url, contentType, raw, bucket, 0, opts...)
	} else {
		resp, err = s.RequestWithBucketID(method, url, body, bucket, opts...)
	}
	if err != nil || out == nil {
		return err
	}
	if err := json.Unmarshal(resp, out); err != nil {
		return fmt.Errorf("discord: unreadable answer: %w", err)
	}
	return nil
}
