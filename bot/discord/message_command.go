package discord

import (
	"context"

	"github.com/bwmarrin/discordgo"

	"github.com/caracal-bot/caracal-bot/chat"
)

// UnreadableMessage answers Diagnose with Caracal when the interaction
// does not carry the message it was used on.
const UnreadableMessage = "caracal-bot could not read that message; paste its error into /caracal why instead."

// messageCommand maps Diagnose with Caracal on a message: why with the
// message's content (data.resolved.messages[data.target_id], which
// Discord sends with the interaction, no intent needed), exactly as
// /caracal why <content> runs it: the same deferral, the same
// permissions, refusals and zones, the diagnosis in the embed with a
// thread started on it, and an answer only the user sees when the message
// holds no error to diagnose.
func (in *inbound) messageCommand(ctx context.Context, i *discordgo.Interaction, parentID string, d *discordgo.ApplicationCommandInteractionData) reaction {
	var m *discordgo.Message
	if d.Resolved != nil {
		m = d.Resolved.Messages[d.TargetID]
	}
	if m == nil {
		return reaction{resp: ephemeral(UnreadableMessage)}
	}
	return in.dispatch(ctx, i, parentID, chat.DiagnoseMessage(m.Content))
}
