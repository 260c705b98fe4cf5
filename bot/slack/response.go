package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"
)

// response_type values of a response_url post.
const (
	responseInChannel = "in_channel"
	responseEphemeral = "ephemeral"
)

// responseMessage is the JSON body of a response_url post.
type responseMessage struct {
	ResponseType    string           `json:"response_type"`
	Text            string           `json:"text"`
	Blocks          []slackapi.Block `json:"blocks,omitempty"`
	ReplaceOriginal bool             `json:"replace_original"`
}

// respond posts m to the target's response_url. Like the Web API calls it
// retries 429 (after Retry-After), 5xx and transport errors. Errors never
// carry the URL, which grants posting rights.
func (d *delivery) respond(responseType string, m Message) error {
	u, err := url.Parse(d.target.ResponseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return d.Fail("response_url", errors.New("the response_url is not an http(s) URL"))
	}
	body, err := json.Marshal(responseMessage{ResponseType: responseType, Text: m.Text, Blocks: m.Blocks})
	if err != nil {
		return d.Fail("response_url", err)
	}
	return d.Call("response_url", func(ctx context.Context) error {
		return d.postResponse(ctx, body)
	})
}

func (d *delivery) postResponse(ctx context.Context, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.target.ResponseURL, bytes.NewReader(body))
	if err != nil {
		return errors.New("cannot build the response_url request")
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := d.p.opts.HTTPClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			// Keep the *url.Error (it marks a transport failure) but drop the URL.
			return &url.Error{Op: ue.Op, URL: "(response_url)", Err: ue.Err}
		}
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		secs, _ := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After")))
		return &slackapi.RateLimitedError{RetryAfter: time.Duration(secs) * time.Second}
	case resp.StatusCode != http.StatusOK:
		return slackapi.StatusCodeError{Code: resp.StatusCode, Status: resp.Status}
	}
	// Slack answers "ok", or JSON with ok:false and an error code.
	var ans struct {
		OK    *bool  `json:"ok"`
		Error string `json:"error"`
	}
	if json.Unmarshal(data, &ans) == nil && ans.OK != nil && !*ans.OK {
		return slackapi.SlackErrorResponse{Err: ans.Error}
	}
	return nil
}
