package console

import (
	"bufio"
	"bytes"
	"io"
	"sync"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/caracal-bot/caracal-bot/chat"
)

// Bracketed paste: the terminal wraps what is pasted in these, so that a
// newline inside a paste is told from Enter.
const (
	pasteOn    = "\x1b[?2004h"
	pasteOff   = "\x1b[?2004l"
	pasteStart = "[200~"
	pasteEnd   = "[201~"
)

// Keys the editor handles.
const (
	keyCtrlC     = 0x03
	keyCtrlD     = 0x04
	keyBackspace = 0x08
	keyCtrlU     = 0x15
	keyCtrlW     = 0x17
	keyEscape    = 0x1b
	keyDelete    = 0x7f
)

// editor reads lines from a terminal in raw mode. In its usual (canonical)
// mode the terminal keeps at most 4095 bytes of a line and drops the rest
// of a longer paste without a word; the editor reads the bytes itself, so
// a paste arrives whole. It echoes what is typed; handles Backspace,
// Ctrl-U (erase the line), Ctrl-W (erase a word), Ctrl-D on an empty line
// and Ctrl-C (both end the session); ignores arrow and function keys; and
// turns bracketed paste on, so the newlines of a paste stay in the line
// and only Enter sends it.
type editor struct {
	fd  int
	br  *bufio.Reader
	out io.Writer

	mu    sync.Mutex
	saved *term.State // the terminal's mode while the editor has it raw
}

// newEditor returns an editor when in is a terminal, else nil.
func newEditor(in io.Reader, out io.Writer) *editor {
	f, ok := in.(interface{ Fd() uintptr })
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &editor{fd: int(f.Fd()), br: bufio.NewReader(in), out: out}
}

// readLine reads one line in raw mode, the terminal restored after it.
func (e *editor) readLine() (string, bool, error) {
	e.mu.Lock()
	saved, err := term.MakeRaw(e.fd)
	e.saved = saved
	e.mu.Unlock()
	if err != nil {
		return "", false, err
	}
	defer e.restore()
	_, _ = io.WriteString(e.out, pasteOn)
	defer io.WriteString(e.out, pasteOff)
	return e.edit()
}

// restore gives the terminal its mode back; safe to call at any time, so
// that a session that ends while a line is read leaves it usable.
func (e *editor) restore() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.saved != nil {
		_ = term.Restore(e.fd, e.saved)
		e.saved = nil
	}
}

// edit reads keys until Enter and returns the line, whether it was longer
// than maxLine (the rest is dropped), and io.EOF for Ctrl-D on an empty
// line, Ctrl-C or the end of input.
func (e *editor) edit() (string, bool, error) {
	var line []byte
	var echo bytes.Buffer
	long, pasting, afterCR := false, false, false
	add := func(s string) {
		if len(line)+len(s) > maxLine {
			long = true
			return
		}
		line = append(line, s...)
		if s == "\n" {
			s = "\r\n"
		}
		echo.WriteString(s)
	}
	for {
		if e.br.Buffered() == 0 {
			_, _ = e.out.Write(echo.Bytes())
			echo.Reset()
		}
		r, _, err := e.br.ReadRune()
		if err != nil {
			_, _ = e.out.Write(echo.Bytes())
			return string(line), long, err
		}
		cr := afterCR
		afterCR = r == '\r'
		switch {
		case r == keyEscape:
			switch e.escape() {
			case pasteStart:
				pasting = true
			case pasteEnd:
				pasting = false
			}
		case pasting && r == '\n' && cr:
			// the second half of a pasted CR LF
		case pasting && (r == '\r' || r == '\n'):
			add("\n")
		case r == '\r' || r == '\n':
			echo.WriteString("\r\n")
			_, _ = e.out.Write(echo.Bytes())
			return string(line), long, nil
		case r == keyDelete || r == keyBackspace:
			line = erase(line, 1, &echo)
		case r == keyCtrlU:
			line = erase(line, utf8.RuneCount(line[bytes.LastIndexByte(line, '\n')+1:]), &echo)
		case r == keyCtrlW:
			line = erase(line, lastWord(line), &echo)
		case r == keyCtrlC || (r == keyCtrlD && len(line) == 0):
			echo.WriteString("\r\n")
			_, _ = e.out.Write(echo.Bytes())
			return "", false, io.EOF
		case r == '\t' || r >= 0xa0 && r != utf8.RuneError || r >= 0x20 && r < 0x7f:
			add(string(r))
		}
	}
}

// escape reads the rest of an escape sequence after ESC and returns it:
// a CSI sequence ("[" up to its final byte), or SS3 ("O" and one byte).
func (e *editor) escape() string {
	b, err := e.br.ReadByte()
	if err != nil {
		return ""
	}
	seq := []byte{b}
	switch b {
	case '[':
		for {
			c, err := e.br.ReadByte()
			if err != nil {
				break
			}
			seq = append(seq, c)
			if c >= 0x40 && c <= 0x7e {
				break
			}
		}
	case 'O':
		if c, err := e.br.ReadByte(); err == nil {
			seq = append(seq, c)
		}
	}
	return string(seq)
}

// erase removes up to n runes from the end of line, not past a newline,
// and echoes what takes them off the screen.
func erase(line []byte, n int, echo *bytes.Buffer) []byte {
	for ; n > 0 && len(line) > 0; n-- {
		r, size := utf8.DecodeLastRune(line)
		if r == '\n' {
			break
		}
		line = line[:len(line)-size]
		for range chat.RuneWidth(r) {
			echo.WriteString("\b \b")
		}
	}
	return line
}

// lastWord counts the runes Ctrl-W erases: the spaces at the end of line,
// then the word before them.
func lastWord(line []byte) int {
	n, inWord := 0, false
	for len(line) > 0 {
		r, size := utf8.DecodeLastRune(line)
		if r == ' ' || r == '\t' || r == '\n' {
			if inWord || r == '\n' {
				break
			}
		} else {
			inWord = true
		}
		line = line[:len(line)-size]
		n++
	}
	return n
}
