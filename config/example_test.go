package config_test

import (
	"fmt"

	"github.com/caracal-bot/caracal-bot/config"
)

func ExampleLoad() {
	env := map[string]string{
		"CARACAL_STS_URL":     "https://sts.example.com/",
		"CARACAL_ADMIN_TOKEN": "not-printed",
	}
	cfg, err := config.Load("testdata/caracal-bot.example.yaml", func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	zones, _ := cfg.ZonesForChannel("C0123ABCD")
	fmt.Println(cfg.Caracal.STSURL, zones, cfg.Caracal.AdminToken)
	fmt.Print(cfg.Summary())
	// Output:
	// https://sts.example.com [zone-payments] [redacted]
	// config file: testdata/caracal-bot.example.yaml
	//
	// SETTING                             VALUE                          FROM                     ENV
	// caracal.api_url                     http://localhost:3000          file, line 6             CARACAL_API_URL
	// caracal.sts_url                     https://sts.example.com        env CARACAL_STS_URL      CARACAL_STS_URL
	// caracal.gateway_url                 http://localhost:8081          file, line 8             CARACAL_GATEWAY_URL
	// caracal.audit_url                   http://localhost:9090          file, line 9             CARACAL_AUDIT_URL
	// caracal.coordinator_url             http://localhost:4000          file, line 10            CARACAL_COORDINATOR_URL
	// caracal.admin_token                 set                            env CARACAL_ADMIN_TOKEN  CARACAL_ADMIN_TOKEN
	// caracal.metrics_bearer              unset                          default                  CARACAL_METRICS_BEARER
	// caracal.coordinator_token           unset                          default                  CARACAL_COORDINATOR_TOKEN
	// caracal.zone_id                     zone-prod                      file, line 19            CARACAL_ZONE_ID
	// caracal.call_timeout                5s                             file, line 20
	// caracal.diagnosis_timeout           15s                            file, line 21
	// caracal.max_retries                 2                              file, line 22
	// caracal.read_budget_mib             32                             file, line 23            CARACAL_READ_BUDGET_MIB
	// docs_url                            https://docs.caracal.run       file, line 24            CARACAL_DOCS_URL
	// log.level                           info                           file, line 32            BOT_LOG_LEVEL
	// log.format                          text                           file, line 33            BOT_LOG_FORMAT
	// listen_addr                         :8787                          file, line 37            BOT_LISTEN_ADDR
	// ops_listen_addr                     (none)                         default                  BOT_OPS_LISTEN_ADDR
	// slack.bot_token                     unset                          default                  SLACK_BOT_TOKEN
	// slack.app_token                     unset                          default                  SLACK_APP_TOKEN
	// slack.signing_secret                unset                          default                  SLACK_SIGNING_SECRET
	// slack.api_url                       https://slack.com/api/         file, line 46            SLACK_API_URL
	// discord.bot_token                   unset                          default                  DISCORD_BOT_TOKEN
	// discord.app_id                      (none)                         default                  DISCORD_APP_ID
	// discord.public_key                  (none)                         default                  DISCORD_PUBLIC_KEY
	// discord.guild_ids                   (none)                         default                  DISCORD_GUILD_IDS
	// discord.allow_dms                   false                          default                  DISCORD_ALLOW_DMS
	// discord.default_member_permissions  2048                           default                  DISCORD_DEFAULT_MEMBER_PERMISSIONS
	// discord.api_url                     https://discord.com/api/v10    default                  DISCORD_API_URL
	// redis_url                           unset                          default                  REDIS_URL
	// state_dir                           (none)                         default                  BOT_STATE_DIR
	// require_https                       false                          default                  BOT_REQUIRE_HTTPS
	// limits.user_per_minute              30                             default                  BOT_USER_COMMANDS_PER_MINUTE
	// limits.channel_per_minute           60                             default                  BOT_CHANNEL_COMMANDS_PER_MINUTE
	// tickets.system                      (none)                         default                  TICKET_SYSTEM
	// tickets.jira_url                    (none)                         default                  JIRA_URL
	// tickets.jira_email                  (none)                         default                  JIRA_EMAIL
	// tickets.jira_api_token              unset                          default                  JIRA_API_TOKEN
	// tickets.jira_project                (none)                         default                  JIRA_PROJECT
	// tickets.jira_issue_type             Bug                            default                  JIRA_ISSUE_TYPE
	// tickets.github_api_url              https://api.github.com         default                  GITHUB_API_URL
	// tickets.github_token                unset                          default                  GITHUB_TOKEN
	// tickets.github_repo                 (none)                         default                  GITHUB_REPO
	// tickets.webhook_url                 (none)                         default                  TICKET_WEBHOOK_URL
	// tickets.webhook_secret              unset                          default                  TICKET_WEBHOOK_SECRET
	// tickets.spool_dir                   (none)                         default                  TICKET_SPOOL_DIR
	// channels                            1 mapped                       file, line 27
	// channels[0]                         C0123ABCD -> zone-payments     file, line 28
	// permissions.channels                C0123ABCD C0456EFGH            file, line 51
	// permissions.commands.bundle         groups S0ONCALL                file, line 53
	// permissions.commands.ticket         users U0LEAD; groups S0ONCALL  file, line 54
}
