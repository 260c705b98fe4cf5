module github.com/caracal-bot/caracal-bot

go 1.26.0

require (
	github.com/go-resty/resty/v2 v2.17.2
	github.com/stretchr/testify v1.12.1
	go.yaml.in/yaml/v3 v3.0.6
)

require golang.org/x/net v0.43.0 // indirect
