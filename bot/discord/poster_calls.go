package discord

import (
	"errors"
	"net/http"

	"github.com/bwmarrin/discordgo"
)

// API method names, the method label of the metrics and logs.
const (
	methodEditOriginal   = "InteractionResponseEdit"
	methodDeleteOriginal = "InteractionResponseDelete"
	methodFollowup       = "FollowupMessageCreate"
	methodSend           = "ChannelMessageSendComplex"
	methodEdit           = "ChannelMessageEditComplex"
	methodStartThread    = "MessageThreadStartComplex"
)

// webhookInteraction is the interaction the webhook calls need.
func (d *delivery) webhookInteraction() (*discordgo.Interaction, error) {
	t := d.target
	if t.AppID == "" || t.InteractionToken == "" {
		return nil, errors.New("discord: no interaction to answer (app ID or token missing)")
	}
	return &discordgo.Interaction{AppID: t.AppID, Token: t.InteractionToken, ChannelID: t.ChannelID, GuildID: t.GuildID}, nil
}

// postRoot posts a root message: the deferred @original of a slash
// command, a followup for a button, or a channel message when there is
// no interaction.
func (d *delivery) postRoot(m Message) (*discordgo.Message, error) {
	switch {
	case d.target.InteractionToken == "":
		return d.sendMessage(d.target.ChannelID, m)
	case d.target.MessageID == "":
		return d.editOriginal(m)
	default:
		return d.followupMessage(m, false)
	}
}

// editOriginal replaces the deferred "thinking" @original with m.
func (d *delivery) editOriginal(m Message) (*discordgo.Message, error) {
	i, err := d.webhookInteraction()
	if err != nil {
		return nil, d.Fail(methodEditOriginal, err)
	}
	var msg *discordgo.Message
	err = d.call(methodEditOriginal, func(opt discordgo.RequestOption) error {
		body, files := m.body(0)
		url := discordgo.EndpointWebhookMessage(i.AppID, i.Token, "@original")
		return request(d.p.s, http.MethodPatch, url, url, body, files, &msg, opt)
	})
	if err == nil && (msg == nil || msg.ID == "") {
		err = d.Fail(methodEditOriginal, errors.New("answer has no message ID"))
	}
	return msg, err
}

// deleteOriginal deletes the deferred @original; one already gone is fine.
func (d *delivery) deleteOriginal() error {
	i, err := d.webhookInteraction()
	if err != nil {
		return d.Fail(methodDeleteOriginal, err)
	}
	err = d.call(methodDeleteOriginal, func(opt discordgo.RequestOption) error {
		return d.p.s.InteractionResponseDelete(i, opt)
	})
	if errorCode(err) == discordgo.ErrCodeUnknownMessage {
		d.Recovered()
		return nil
	}
	return err
}

// followup posts m as a followup of the interaction, ephemeral (flags 64)
// or visible in the channel.
func (d *delivery) followup(m Message, ephemeral bool) error {
	_, err := d.followupMessage(m, ephemeral)
	return err
}

func (d *delivery) followupMessage(m Message, ephemeral bool) (*discordgo.Message, error) {
	i, err := d.webhookInteraction()
	if err != nil {
		return nil, d.Fail(methodFollowup, err)
	}
	var flags discordgo.MessageFlags
	if ephemeral {
		flags = discordgo.MessageFlagsEphemeral
	}
	var msg *discordgo.Message
	err = d.call(methodFollowup, func(opt discordgo.RequestOption) error {
		body, files := m.body(flags)
		// wait=true: without it Discord answers 204 with no message.
		url := discordgo.EndpointWebhookToken(i.AppID, i.Token)
		return request(d.p.s, http.MethodPost, url+"?wait=true", url, body, files, &msg, opt)
	})
	if err == nil && (msg == nil || msg.ID == "") {
		err = d.Fail(methodFollowup, errors.New("answer has no message ID"))
	}
	return msg, err
}

// send posts m in a channel or thread.
func (d *delivery) send(channel string, m Message) error {
	_, err := d.sendMessage(channel, m)
	return err
}

func (d *delivery) sendMessage(channel string, m Message) (*discordgo.Message, error) {
	if channel == "" {
		return nil, d.Fail(methodSend, errors.New("no channel to post in"))
	}
	var msg *discordgo.Message
	err := d.call(methodSend, func(opt discordgo.RequestOption) error {
		body, files := m.body(0)
		url := discordgo.EndpointChannelMessages(channel)
		return request(d.p.s, http.MethodPost, url, url, body, files, &msg, opt)
	})
	if err == nil && (msg == nil || msg.ID == "") {
		err = d.Fail(methodSend, errors.New("answer has no message ID"))
	}
	return msg, err
}

// editMessage replaces a message's content, embeds and buttons.
func (d *delivery) editMessage(channel, id string, m Message) error {
	return d.call(methodEdit, func(opt discordgo.RequestOption) error {
		body, files := m.body(0)
		return request(d.p.s, http.MethodPatch, discordgo.EndpointChannelMessage(channel, id),
			discordgo.EndpointChannelMessage(channel, ""), body, files, nil, opt)
	})
}

// startThread starts a public thread on a message and returns its ID
// (the message's). A thread that already exists is used as it is.
func (d *delivery) startThread(channel, messageID string) (string, error) {
	var th *discordgo.Channel
	err := d.call(methodStartThread, func(opt discordgo.RequestOption) error {
		url := discordgo.EndpointChannelMessageThread(channel, messageID)
		return request(d.p.s, http.MethodPost, url, url, threadBody{Name: d.threadName, AutoArchiveDuration: ThreadArchiveMinutes}, nil, &th, opt)
	})
	switch {
	case errorCode(err) == discordgo.ErrCodeThreadAlreadyCreatedForThisMessage:
		d.Recovered()
		return messageID, nil
	case err != nil:
		return "", err
	case th == nil || th.ID == "":
		return messageID, nil
	}
	return th.ID, nil
}
