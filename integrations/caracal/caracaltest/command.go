package caracaltest

import (
	"fmt"
	"strings"
)

// WhyArgs is what an operator would type after `why` for this scenario: the
// error body the caller got, pasted as is, when it names the request ID;
// otherwise the request ID with the error code as a flag; then the zone
// asked, the HTTP status and the symptom.
func (sc Scenario) WhyArgs() string {
	parts := []string{sc.CallerSaw}
	if sc.CallerSaw == "" || !strings.Contains(sc.CallerSaw, sc.ID) {
		parts = []string{sc.ID}
		if sc.Hints.ErrorCode != "" {
			parts = append(parts, "--error", sc.Hints.ErrorCode)
		}
	}
	if sc.AskZone != "" && sc.AskZone != ZoneResearch {
		parts = append(parts, "--zone", sc.AskZone)
	}
	if sc.Hints.Status != 0 {
		parts = append(parts, "--status", fmt.Sprint(sc.Hints.Status))
	}
	if sc.Hints.Symptom != "" {
		parts = append(parts, "--symptom", sc.Hints.Symptom)
	}
	return strings.Join(parts, " ")
}
