package slack

import (
	"bytes"
	"context"
	"errors"

	slackapi "github.com/slack-go/slack"

	"github.com/caracal-bot/caracal-bot/chat"
)

// upload shares a file in the thread with files upload v2: get an upload
// URL, POST the bytes there, complete the upload into the channel and
// thread. Each step is retried on its own; empty files are skipped (Slack
// refuses them).
func (d *delivery) upload(f chat.File, threadTS string) error {
	if len(f.Data) == 0 {
		d.Logger.Warn("slack: empty file not uploaded", "channel", d.target.ChannelID, "request_id", d.RequestID)
		return nil
	}
	name := fileName(f.Name)
	var u *slackapi.GetUploadURLExternalResponse
	err := d.Call("files.getUploadURLExternal", func(ctx context.Context) error {
		var err error
		u, err = d.p.api.GetUploadURLExternalContext(ctx, slackapi.GetUploadURLExternalParameters{FileName: name, FileSize: len(f.Data)})
		return err
	})
	if err != nil {
		return err
	}
	if u.UploadURL == "" || u.FileID == "" {
		return d.Fail("files.getUploadURLExternal", errors.New("answer has no upload_url or file_id"))
	}
	err = d.Call("files.upload", func(ctx context.Context) error {
		// A fresh reader per attempt: a retried POST must send the bytes again.
		return d.p.api.UploadToURL(ctx, slackapi.UploadToURLParameters{UploadURL: u.UploadURL, Reader: bytes.NewReader(f.Data), Filename: name})
	})
	if err != nil {
		return err
	}
	return d.Call("files.completeUploadExternal", func(ctx context.Context) error {
		_, err := d.p.api.CompleteUploadExternalContext(ctx, slackapi.CompleteUploadExternalParameters{
			Files: []slackapi.FileSummary{{ID: u.FileID, Title: name}}, Channel: d.target.ChannelID, ThreadTimestamp: threadTS})
		return err
	})
}
