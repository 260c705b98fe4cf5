package console

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"github.com/caracal-bot/caracal-bot/chat"
)

// openPTY opens a pseudo-terminal: what is written to master is typed
// into slave.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skip("no pseudo-terminals here:", err)
	}
	t.Cleanup(func() { master.Close() })
	require.NoError(t, unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0))
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	require.NoError(t, err)
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	require.NoError(t, err)
	t.Cleanup(func() { slave.Close() })
	return master, slave
}

// TestRunReadsALongPasteFromATerminal types a 10,000-byte line into a real
// terminal, well past the 4095 bytes its canonical mode keeps: the command
// gets all of it, and the terminal is left as it was.
func TestRunReadsALongPasteFromATerminal(t *testing.T) {
	master, slave := openPTY(t)
	before, err := term.GetState(int(slave.Fd()))
	require.NoError(t, err)

	var got []string
	h := func(_ context.Context, inv chat.Invocation) chat.Reply {
		got = append(got, inv.Text)
		return chat.Reply{Summary: "ok"}
	}
	paste := "01a028ea-d354-7443-96e4-46e5643d943c " + strings.Repeat("x", 10_000)
	go func() {
		// Type only once Run has put the terminal in raw mode: typed
		// before, the line would meet canonical mode's 4095-byte limit.
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if now, err := term.GetState(int(slave.Fd())); err == nil && !reflect.DeepEqual(now, before) {
				break
			}
		}
		_, _ = master.Write([]byte("/caracal why " + paste + "\r"))
		_, _ = master.Write([]byte("exit\r"))
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out bytes.Buffer
	require.NoError(t, Run(ctx, slave, &out, h, Options{}))
	require.Len(t, got, 1)
	assert.Equal(t, len(paste), len(got[0]), "the whole line arrived")
	assert.True(t, got[0] == paste, "as typed")

	after, err := term.GetState(int(slave.Fd()))
	require.NoError(t, err)
	assert.Equal(t, before, after, "the terminal's mode is restored")
}
