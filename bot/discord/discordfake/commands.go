package discordfake

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/caracal-bot/caracal-bot/bot/discord/discordapi"
)

// chatName is the rule of a chat command's and an option's name
// (.../interactions/application-commands#application-command-naming),
// which must also use the lower-case form of its letters.
var chatName = regexp.MustCompile(`^[-_'\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

// checkCommands validates a bulk overwrite as Discord does, refusing the
// whole overwrite for one bad command: the fields and no null (the
// shape), each command's rules by type, and names unique per type. A chat
// command (type 1, the default) has a lower-case name without spaces, a
// description of 1-100 characters and options within their limits; a user
// or message command (types 2 and 3, the context menus) has a name of
// 1-32 characters in any case, spaces allowed, and no description and no
// options: Discord refuses them on it.
func checkCommands(body []byte, cmds []*discordgo.ApplicationCommand) *problem {
	if path, msg := checkShape(body, commandsShape); msg != "" {
		return invalid(path, "%s", msg)
	}
	var fields []map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || len(fields) != len(cmds) {
		return invalid("", "not a list of commands")
	}
	seen := map[string]bool{}
	for i, c := range cmds {
		at := fmt.Sprint(i)
		var pr *problem
		switch c.Type {
		case 0, discordgo.ChatApplicationCommand:
			pr = checkChatCommand(at, c)
		case discordgo.UserApplicationCommand, discordgo.MessageApplicationCommand:
			pr = checkContextMenuCommand(at, c.Name, fields[i])
		default:
			pr = invalid(at+".type", "unknown application command type %d", c.Type)
		}
		if pr != nil {
			return pr
		}
		key := fmt.Sprint(max(c.Type, discordgo.ChatApplicationCommand), "/", c.Name)
		if seen[key] {
			return invalid(at+".name", "application command names must be unique per type: %q", c.Name)
		}
		seen[key] = true
	}
	return nil
}

// checkChatCommand checks a chat command: its name and description, and
// its options'.
func checkChatCommand(at string, c *discordgo.ApplicationCommand) *problem {
	if pr := checkNamed(at, c.Name, c.Description); pr != nil {
		return pr
	}
	return checkOptions(at, c.Options)
}

// checkContextMenuCommand checks a user or message command, given the
// fields it was sent with: a name of 1-32 characters, and neither a
// description (even empty) nor options.
func checkContextMenuCommand(at, name string, sent map[string]json.RawMessage) *problem {
	if n := utf8.RuneCountInString(name); n == 0 || n > discordapi.MaxCommandName || strings.TrimSpace(name) != name {
		return invalid(at+".name", "must be 1-%d characters, without white space at the ends", discordapi.MaxCommandName)
	}
	for _, f := range []string{"description", "options"} {
		if _, ok := sent[f]; ok {
			return invalid(at+"."+f, "not allowed on a user or message command")
		}
	}
	return nil
}

func checkOptions(path string, opts []*discordgo.ApplicationCommandOption) *problem {
	if len(opts) > discordapi.MaxCommandOptions {
		return invalid(path+".options", "at most %d", discordapi.MaxCommandOptions)
	}
	for j, o := range opts {
		at := fmt.Sprintf("%s.options.%d", path, j)
		if pr := checkNamed(at, o.Name, o.Description); pr != nil {
			return pr
		}
		if len(o.Choices) > discordapi.MaxCommandOptions {
			return invalid(at+".choices", "at most %d", discordapi.MaxCommandOptions)
		}
		if pr := checkOptions(at, o.Options); pr != nil {
			return pr
		}
	}
	return nil
}

// checkNamed checks the name (1-32 characters, the chat naming rule, lower
// case) and description (1-100) of a chat command or option.
func checkNamed(path, name, desc string) *problem {
	if !chatName.MatchString(name) || strings.ToLower(name) != name {
		return invalid(path+".name", "must be 1-%d lower-case letters, digits, - _ or '", discordapi.MaxCommandName)
	}
	if n := utf8.RuneCountInString(desc); n == 0 || n > discordapi.MaxCommandDescription {
		return invalid(path+".description", "must be 1-%d characters", discordapi.MaxCommandDescription)
	}
	return nil
}
