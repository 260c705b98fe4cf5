package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/caracal-bot/caracal-bot/chat"
)

// Handler answers one command. It is the bot's dispatcher in `demo`, or a
// fake in tests.
type Handler func(ctx context.Context, inv chat.Invocation) chat.Reply

// maxLine is the longest input line answered; longer lines get an error reply.
const maxLine = 256 << 10

// Run is an interactive session: print the prompt, read a line, parse it,
// call h and render the reply, until "exit", "quit", end of input or ctx is
// done (then it returns ctx.Err()). Blank lines are ignored. A line that does
// not parse, and a handler that panics, are answered with an ephemeral error
// reply; the session goes on. When in is a terminal, a line editor reads it
// in raw mode (see editor), so a long paste arrives whole. Reading happens
// in a goroutine, one line at a time when Run asks for it; a read under way
// when Run returns ends at the next line or end of input.
func Run(ctx context.Context, in io.Reader, out io.Writer, h Handler, opt Options) error {
	if h == nil {
		return errors.New("console: nil handler")
	}
	opt = opt.withDefaults()
	read := lineReader(in)
	if ed := newEditor(in, out); ed != nil {
		read = ed.readLine
		defer ed.restore()
	}
	want, lines := make(chan struct{}), make(chan input)
	done := make(chan struct{})
	defer close(done)
	go readLines(read, want, lines, done)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := io.WriteString(out, opt.Prompt); err != nil {
			return err
		}
		want <- struct{}{}
		var l input
		select {
		case <-ctx.Done():
			_, _ = io.WriteString(out, "\n")
			return ctx.Err()
		case l = <-lines:
		}
		if l.err != nil && !errors.Is(l.err, io.EOF) {
			return fmt.Errorf("console: read input: %w", l.err)
		}
		text := strings.TrimSpace(l.text)
		if l.err != nil && text == "" {
			_, err := io.WriteString(out, "\n")
			return err
		}
		if text != "" && isExit(text) {
			return nil
		}
		if text != "" {
			if err := respond(ctx, out, text, l.long, h, opt); err != nil {
				return err
			}
		}
		if l.err != nil {
			return nil
		}
	}
}

// RunScript answers a script non-interactively: each line that is not blank
// and does not start with "#" is echoed as "> line" and answered. "exit" or
// "quit" ends the script early; so does ctx (Run's rules otherwise).
func RunScript(ctx context.Context, script io.Reader, out io.Writer, h Handler, opt Options) error {
	if h == nil {
		return errors.New("console: nil handler")
	}
	opt = opt.withDefaults()
	br := bufio.NewReaderSize(script, 64<<10)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		raw, long, rerr := readLine(br)
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return fmt.Errorf("console: read script: %w", rerr)
		}
		text := strings.TrimSpace(raw)
		if text != "" && !strings.HasPrefix(text, "#") {
			if isExit(text) {
				return nil
			}
			p := &printer{opt: opt}
			p.line(p.paint(sgrBold, "> "+truncate(chat.OneLine(text), opt.Width-2)))
			if _, err := io.WriteString(out, p.b.String()); err != nil {
				return err
			}
			if err := respond(ctx, out, text, long, h, opt); err != nil {
				return err
			}
		}
		if rerr != nil {
			return nil
		}
	}
}

// respond answers one line and renders the reply followed by a blank
// line; /diagnose renders the message it posts and the answer in its
// thread (see RenderDiagnosis).
func respond(ctx context.Context, out io.Writer, text string, long bool, h Handler, opt Options) error {
	inv, err := invocation(text, long, opt)
	switch {
	case err != nil:
		err = Render(out, errorReply(err.Error()), opt)
	case inv.Command == DiagnoseCommand && strings.TrimSpace(inv.Text) == "":
		err = Render(out, errorReply(diagnoseUsage), opt)
	case inv.Command == DiagnoseCommand:
		d := chat.DiagnoseMessage(inv.Text)
		d.Platform, d.UserID, d.UserName, d.ChannelID, d.TriggeredAt = inv.Platform, inv.UserID, inv.UserName, inv.ChannelID, inv.TriggeredAt
		err = RenderDiagnosis(out, opt.User, inv.Text, call(ctx, h, d), opt)
	default:
		err = Render(out, call(ctx, h, inv), opt)
	}
	if err != nil {
		return err
	}
	_, err = io.WriteString(out, "\n")
	return err
}

// invocation reads one line as the user's command in the console's
// channel.
func invocation(text string, long bool, opt Options) (chat.Invocation, error) {
	if long {
		return chat.Invocation{}, fmt.Errorf("line too long: type at most %d KiB", maxLine>>10)
	}
	inv, err := chat.ParseCommandLine(text)
	if err != nil {
		return chat.Invocation{}, err
	}
	inv.Platform = "console"
	inv.UserID, inv.UserName, inv.ChannelID = opt.User, opt.User, "console"
	inv.TriggeredAt = time.Now()
	return inv, nil
}

// call answers inv, never panicking.
func call(ctx context.Context, h Handler, inv chat.Invocation) (reply chat.Reply) {
	defer func() {
		if v := recover(); v != nil {
			reply = errorReply(fmt.Sprintf("internal error: %s failed: %s", inv.Command, truncate(chat.OneLine(fmt.Sprint(v)), 200)))
		}
	}()
	return h(ctx, inv)
}

// errorReply is an error only the person typing sees.
func errorReply(msg string) chat.Reply {
	return chat.Reply{Summary: msg, Severity: chat.SeverityError, Ephemeral: true}
}

func isExit(text string) bool {
	switch strings.ToLower(text) {
	case "exit", "quit", "/exit", "/quit":
		return true
	}
	return false
}

// input is one line read, and the error that ended input after it.
type input struct {
	text string
	long bool
	err  error
}

// lineReader reads lines of any length from r, keeping at most maxLine
// bytes of each (see readLine).
func lineReader(r io.Reader) func() (string, bool, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	return func() (string, bool, error) { return readLine(br) }
}

// readLines reads a line each time want receives and sends it on out,
// until a read fails (its input carries the error) or done is closed.
func readLines(read func() (string, bool, error), want <-chan struct{}, out chan<- input, done <-chan struct{}) {
	for {
		select {
		case <-want:
		case <-done:
			return
		}
		text, long, err := read()
		select {
		case out <- input{text: text, long: long, err: err}:
		case <-done:
			return
		}
		if err != nil {
			return
		}
	}
}

// readLine reads one line of any length, keeping at most maxLine bytes;
// long reports that the line was longer.
func readLine(br *bufio.Reader) (text string, long bool, err error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(buf)+len(chunk) <= maxLine {
			buf = append(buf, chunk...)
		} else {
			long = true
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return string(buf), long, err
	}
}
