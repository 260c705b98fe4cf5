// Package discordapi holds the facts of Discord's HTTP API that the
// adapter (bot/discord) and its fake (bot/discord/discordfake) share, so
// that both read them from one place: the API version and the limits
// Discord enforces on what a bot sends. Every limit counts characters
// (Unicode code points) unless it says bytes.
package discordapi

// Version is the API version the bot speaks, REST and gateway: v10
// (https://discord.com/developers/docs/reference#api-versioning).
const Version = "10"

// PathPrefix is the path of the REST API's base: "/api/v10".
const PathPrefix = "/api/v" + Version

// Message limits
// (https://discord.com/developers/docs/resources/message#create-message).
const (
	// MaxContent is the longest content of a message.
	MaxContent = 2000
	// MaxEmbeds is the most embeds a message may carry.
	MaxEmbeds = 10
	// MaxFiles is the most files a message may carry (files[0] to files[9]).
	MaxFiles = 10
	// MaxUploadBytes is the upload limit of a message for a bot, all its
	// files together, in bytes
	// (https://discord.com/developers/docs/reference#uploading-files).
	MaxUploadBytes = 10 << 20
)

// Embed limits
// (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
const (
	MaxEmbedTitle       = 256
	MaxEmbedDescription = 4096
	MaxEmbedFields      = 25
	MaxFieldName        = 256
	MaxFieldValue       = 1024
	MaxFooterText       = 2048
	MaxAuthorName       = 256
	// MaxEmbedTotal bounds the titles, descriptions, field names and
	// values, footer texts and author names of all the embeds of one
	// message together.
	MaxEmbedTotal = 6000
)

// Component limits
// (https://discord.com/developers/docs/components/reference#action-row and
// #button).
const (
	MaxActionRows    = 5
	MaxButtonsPerRow = 5
	MaxCustomID      = 100
	MaxButtonLabel   = 80
)

// MaxThreadName is the longest name of a thread (a channel name,
// https://discord.com/developers/docs/resources/message#start-thread-from-message).
const MaxThreadName = 100

// Application command limits
// (https://discord.com/developers/docs/interactions/application-commands#application-command-object).
const (
	MaxCommandName        = 32
	MaxCommandDescription = 100
	// MaxCommandOptions bounds the options of a command or subcommand,
	// and the choices of an option.
	MaxCommandOptions = 25
)
