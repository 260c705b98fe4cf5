module github.com/caracal-bot/caracal-bot

go 1.26.0

require (
	github.com/bwmarrin/discordgo v0.29.0 // indirect
	github.com/go-resty/resty/v2 v2.17.2 // indirect
	github.com/gorilla/websocket v1.5.3 // indirect
	github.com/robfig/cron/v3 v3.0.1 // indirect
	github.com/slack-go/slack v0.35.0 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
	go.yaml.in/yaml/v3 v3.0.6 // indirect
	golang.org/x/crypto v0.41.0 // indirect
	golang.org/x/net v0.43.0 // indirect
	golang.org/x/sync v0.25.0 // indirect
	golang.org/x/sys v0.35.0 // indirect
)
