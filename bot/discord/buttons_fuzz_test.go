package discord

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/caracal-bot/caracal-bot/bot/discord/discordapi"
	"github.com/caracal-bot/caracal-bot/bot/platform"
	"github.com/caracal-bot/caracal-bot/chat"
)

// FuzzButtonID: whatever the action and value, a custom_id made by ButtonID
// or ButtonRef either fits Discord's 100 characters and parses back to
// the action (without separators) and the whole value or token, or is
// refused; customID never yields one that does not fit, nor a cut value;
// ParseButtonID takes any custom_id Discord may send without panicking,
// and what it reads as carried itself is made again by ButtonID.
func FuzzButtonID(f *testing.F) {
	const zone = "019f1ce8-1680-793b-b480-86d4734b60a7"
	long := strings.Repeat("incident-2026:batch_", 7)[:128]
	f.Add("why", "01a028ea-d354-7443-96e4-46e5643d943c --zone "+zone)
	f.Add("trace", long+" --zone "+zone)
	f.Add("why", long+" --zone="+zone)
	f.Add("a|b~c", "v|w~x")
	f.Add("ticket", strings.Repeat("é", 60))
	f.Add("", "")
	f.Add("why~ABCDEFGHIJKLMNOPQRSTUVWXYZ", "")
	f.Add("why", "\xff\xfe --zone \x00")

	f.Fuzz(func(t *testing.T, action, value string) {
		clean := cleanAction(action)
		if strings.ContainsAny(clean, ButtonIDSeparator+ButtonRefSeparator) {
			t.Fatalf("separators left in the action %q", clean)
		}
		if id, ok := ButtonID(action, value); ok {
			checkFits(t, id)
			a, v, kept := ParseButtonID(id)
			if a != clean || v != value || kept {
				t.Fatalf("ButtonID(%q, %q) = %q parsed as (%q, %q, %v)", action, value, id, a, v, kept)
			}
		}
		token := platform.NewButtonToken()
		if id, ok := ButtonRef(action, token); ok {
			checkFits(t, id)
			a, v, kept := ParseButtonID(id)
			if a != clean || v != token || !kept {
				t.Fatalf("ButtonRef(%q) = %q parsed as (%q, %q, %v)", action, id, a, v, kept)
			}
		}
		b := chat.Button{Action: action, Value: value}
		for _, tokens := range []ButtonTokens{nil, {value: token}} {
			id, ok := customID(b, tokens)
			if !ok {
				continue
			}
			checkFits(t, id)
			a, v, kept := ParseButtonID(id)
			switch {
			case a != clean:
				t.Fatalf("customID %q lost its action %q", id, clean)
			case kept && v != token:
				t.Fatalf("customID %q carries another token", id)
			case !kept && v != value && v != dropZone(value):
				t.Fatalf("customID %q carries %q, neither %q nor it without its zone", id, v, value)
			}
		}

		// Any custom_id, as a click may carry it: split at the first
		// separator, whose kind says whether a token follows.
		a, v, kept := ParseButtonID(value)
		sep := ButtonIDSeparator
		if kept {
			sep = ButtonRefSeparator
		}
		switch {
		case strings.ContainsAny(a, ButtonIDSeparator+ButtonRefSeparator):
			t.Fatalf("%q parsed with a separator in the action %q", value, a)
		case !strings.ContainsAny(value, ButtonIDSeparator+ButtonRefSeparator) && (a != value || v != "" || kept):
			t.Fatalf("%q without a separator parsed as (%q, %q, %v)", value, a, v, kept)
		case strings.ContainsAny(value, ButtonIDSeparator+ButtonRefSeparator) && a+sep+v != value:
			t.Fatalf("%q parsed as (%q, %q, %v)", value, a, v, kept)
		}
	})
}

// checkFits checks a custom_id is within Discord's limit, in bytes (which
// bounds its characters) and characters.
func checkFits(t *testing.T, id string) {
	t.Helper()
	if len(id) > discordapi.MaxCustomID || utf8.RuneCountInString(id) > discordapi.MaxCustomID {
		t.Fatalf("custom_id of %d bytes: %q", len(id), id)
	}
}
