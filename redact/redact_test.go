package redact_test

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/chat"
	"github.com/caracal-bot/caracal-bot/redact"
)

// Identifiers that must survive.
const (
	requestID    = "01a028ea-d354-7443-96e4-46e5643d943c"
	zoneID       = "019f1ce8-1680-793b-b480-86d4734b60a7"
	sessionID    = "01a028ea-d160-718e-a972-e1ff6ab7e86e"
	agentSession = "01a028ea-cafe-7abc-9def-0123456789ab"
	manifestSHA  = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
)

// Secrets, each of a shape the scrubber must recognise.
const (
	bearerCred   = "mtr-bearer-0f9e8d7c6b5a"
	jwtHeader    = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9"
	jwtPayload   = "eyJzdWIiOiJhZ2VudC0xIiwiYXVkIjoicmVzb3VyY2U6Ly9waXBlcm5ldCJ9"
	jwtSignature = "Qm9ndXNTaWduYXR1cmVCeXRlc0ZvclRlc3RpbmdPbmx5MTIzNDU2Nzg5MA"
	slackToken   = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
	githubToken  = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
	awsKey       = "AKIAIOSFODNN7EXAMPLE"
	caracalAdmin = "cat_Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5"
	clientSecret = "cs_c2VjcmV0LWZvci1hcHBsaWNhdGlvbi1iaWxsaW5nLWJvdA"
)

func TestTextFindsSecretsByShape(t *testing.T) {
	jwt := jwtHeader + "." + jwtPayload + "." + jwtSignature
	s := redact.New()
	for _, tc := range []struct {
		name, in, want string
	}{
		{"bearer", "401 with Bearer " + bearerCred + " sent", "401 with Bearer [redacted] sent"},
		{"bearer lower case", "authorization header: bearer " + bearerCred, "authorization header: bearer [redacted]"},
		{"short bearer", "curl -H 'x: Bearer t0k3n'", "curl -H 'x: Bearer [redacted]'"},
		{"short bearer mixed case", "sent Bearer AbCdEf", "sent Bearer [redacted]"},
		{"authorization header", "Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic [redacted]"},
		{"bare basic", "sent Basic dXNlcjpwYXNz to jira", "sent Basic [redacted] to jira"},
		{"bare basic long", "Basic " + base64.StdEncoding.EncodeToString([]byte("ops@example.com:ATATT3xFfGF0")), "Basic [redacted]"},
		{"authorization JSON", `{"authorization":"tok-12345678"}`, `{"authorization":"[redacted]"}`},
		{"api key header", "X-Api-Key: abcdef123456", "X-Api-Key: [redacted]"},
		{"cookie header", "Cookie: sid=abc123; theme=dark", "Cookie: [redacted]"},
		{"bearer JWT keeps header and payload", "Bearer " + jwt, "Bearer " + jwtHeader + "." + jwtPayload + ".[redacted-signature]"},
		{"bare JWT", "mandate " + jwt + ";", "mandate " + jwtHeader + "." + jwtPayload + ".[redacted-signature];"},
		{"slack bot", "posted by " + slackToken, "posted by xoxb-[redacted]"},
		{"slack app", "xapp-1-A0123456789-0123456789-abcdef", "xapp-[redacted]"},
		{"github classic", "token " + githubToken, "token ghp_[redacted]"},
		{"github fine-grained", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "github_pat_[redacted]"},
		{"aws", "key " + awsKey + " leaked", "key AKIA[redacted] leaked"},
		{"caracal admin token", "echoed " + caracalAdmin + ".", "echoed cat_[redacted]."},
		{"caracal client secret", "secret was " + clientSecret, "secret was cs_[redacted]"},
		{"caracal sink secret", "nsk_0123456789abcdef0123456789abcdef0123456789abcdef", "nsk_[redacted]"},
		{"openai key", "provider said sk-proj-AbCdEfGhIjKlMnOpQrStUv is invalid", "provider said sk-proj-[redacted] is invalid"},
		{"google key", "key AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q", "key AIza[redacted]"},
		{"private key", "x -----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- y", "x [redacted private key] y"},
		{"url userinfo", "GET http://bot:hunter22@127.0.0.1:7000/ready", "GET http://[redacted]@127.0.0.1:7000/ready"},
		{"url query", "https://h/cb?code=abc123&state=x&access_token=tok", "https://h/cb?code=[redacted]&state=x&access_token=[redacted]"},
		{"path with access_token", "GET /v1/resources?access_token=abc.def.ghi&x=1", "GET /v1/resources?access_token=[redacted]&x=1"},
		{"signed URL", "https://s3/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024",
			"https://s3/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=[redacted]&X-Amz-Signature=[redacted]"},
		{"inline password", "dial: password=hunter22, retrying", "dial: password=[redacted], retrying"},
		{"prefixed key", "db_password=hunter22 webhook_secret: s3cr3t", "db_password=[redacted] webhook_secret: [redacted]"},
		{"env style", "DB_PASSWORD=hunter22\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI", "DB_PASSWORD=[redacted]\nAWS_SECRET_ACCESS_KEY=[redacted]"},
		{"glued key", "DBPASSWORD=hunter22", "DBPASSWORD=[redacted]"},
		{"camel case key", "dbPassword: hunter22", "dbPassword: [redacted]"},
		{"inline client_secret JSON", `{"client_secret": "abc def"}`, `{"client_secret": "[redacted]"}`},
		{"JSON number under a secret key", `{"db_password": 123456}`, `{"db_password": [redacted]}`},
		{"escaped JSON in a log line", `msg="{\"client_secret\":\"abc def\"}"`, `msg="{\"client_secret\":\"[redacted]\"}"`},
		{"python dict", `{'api_key': 'k 1'}`, `{'api_key': '[redacted]'}`},
		{"harmless key before a secret", "note:password=hunter22", "note:password=[redacted]"},
		{"discord", "MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs", "[redacted]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, hits := s.Text(tc.in)
			assert.Equal(t, tc.want, got)
			assert.NotEmpty(t, hits)
			again, hits2 := s.Text(got)
			assert.Equal(t, got, again, "scrubbing twice changes nothing")
			assert.Empty(t, hits2)
		})
	}
}

func TestTextKeepsEvidence(t *testing.T) {
	s := redact.New()
	for _, in := range []string{
		requestID, zoneID, manifestSHA, "sha256:" + manifestSHA,
		"policy set prod-v3 grants payments:write to application billing-agent",
		"look for client retries that resend the same bearer.",
		"the request carried no bearer token.", "Bearer authentication failed", "missing Bearer token",
		`WWW-Authenticate: Bearer error="interaction_required"`,
		`www-authenticate: Bearer realm="caracal", error="invalid_token", error_description="session revoked"`,
		"token_exchange deny invalid_token insufficient_scope", "admin_token_missing",
		"caracal: FromEnv requires CARACAL_BOOTSTRAP_TOKEN or CARACAL_APP_CLIENT_SECRET",
		"GET /v1/zones/" + zoneID + "/audit/by-request/" + requestID + "/explain",
		"https://docs.caracal.run/reference/faq/", "http://127.0.0.1:7000/ready",
		"session: " + sessionID, "session_id=" + sessionID, "agent_session_id: " + agentSession,
		"denials_bad_bearer: 3", "denials_signature=0", "secret_backend_errors=2", "token_type=Bearer",
		"idempotency_key=ticket-7", `"manifest_sha": "` + manifestSHA + `"`, "password: null",
		"use basic auth", "Basic configuration", "reason=role_scope_mismatch", "error: invalid_client",
		"dGhpcyBpcyBhIGxvbmcgYmFzZTY0IHN0cmluZyB0aGF0IGlzIG5vdCBhIHNlY3JldA==",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567",
		"", "[redacted]", "xoxb-[redacted]", "password=[redacted]", `password=\[redacted\]`,
	} {
		got, hits := s.Text(in)
		assert.Equal(t, in, got)
		assert.Empty(t, hits, in)
	}
}

// jiraToken and adminToken are configured secrets with the characters
// escapers touch.
const (
	adminToken = "cat_admin_t0k3n_With-Marks*and~ticks`"
	metrics    = "mtr&<bearer>+/=%20 value"
	jiraToken  = "ATATT3xFfGF0-jira_token-9f8e7d"
	jiraEmail  = "ops@example.com"
)

func TestConfiguredSecretsInEveryEncoding(t *testing.T) {
	s := redact.New(adminToken, metrics, jiraToken, "short")
	jsonQuoted := func(v string) string { b, _ := json.Marshal(v); return strings.Trim(string(b), `"`) }
	for _, secret := range []string{adminToken, metrics, jiraToken} {
		for name, form := range map[string]string{
			"raw":              secret,
			"JSON":             jsonQuoted(secret),
			"markdown":         chat.EscapeMarkdown(secret),
			"discord markdown": chat.EscapeDiscord(secret),
			"slack mrkdwn":     chat.EscapeSlack(secret),
			"query escaped":    url.QueryEscape(secret),
			"path escaped":     url.PathEscape(secret),
			"base64":           base64.StdEncoding.EncodeToString([]byte(secret)),
			"base64url":        base64.RawURLEncoding.EncodeToString([]byte(secret)),
			"basic pair":       base64.StdEncoding.EncodeToString([]byte(jiraEmail + ":" + secret)),
			"basic pair +1":    base64.StdEncoding.EncodeToString([]byte("x" + jiraEmail + ":" + secret)),
			"basic pair +2":    base64.StdEncoding.EncodeToString([]byte("xy" + jiraEmail + ":" + secret)),
		} {
			t.Run(name, func(t *testing.T) {
				got := s.String("echo <" + form + "> end")
				assert.NotContains(t, got, form)
				assert.Contains(t, got, redact.Redacted)
				assert.True(t, strings.HasPrefix(got, "echo <") || strings.HasPrefix(got, "echo "), got)
				assert.True(t, strings.HasSuffix(got, "> end"), got)
			})
		}
	}
	assert.Equal(t, "a short word", s.String("a short word"), "secrets under 8 bytes are not removed by value")
}

// Slack escaping writes look-alikes for "*", "~", "`" and an underscore at
// a word's edge, where the underscore's neighbours decide: the secret is
// found whatever surrounds it.
func TestConfiguredSecretsEscapedForSlack(t *testing.T) {
	for _, secret := range []string{"_lead_and_trail_7", "tok*en~with`marks", adminToken} {
		s := redact.New(secret)
		for _, around := range []string{"%s", "x%sy", "a_%s_b", "*%s*", "`%s`"} {
			text := chat.EscapeSlack(strings.Replace(around, "%s", secret, 1))
			got := s.String(text)
			assert.Contains(t, got, redact.Redacted, "%q", text)
			assert.NotContains(t, got, chat.EscapeSlack(secret)[2:len(chat.EscapeSlack(secret))-2], "%q", text)
		}
	}
}

func TestKnownOnlyTouchesConfiguredSecrets(t *testing.T) {
	s := redact.New(jiraToken)
	body := []byte("text=Bearer " + bearerCred + "&token=" + jiraToken)
	out, n := s.Known(body)
	assert.Equal(t, "text=Bearer "+bearerCred+"&token=[redacted]", string(out))
	assert.Equal(t, 1, n)
	same, n := s.Known([]byte("nothing here"))
	assert.Equal(t, "nothing here", string(same))
	assert.Zero(t, n)
}

func TestAddAndExcept(t *testing.T) {
	s := redact.New()
	assert.Equal(t, jiraToken, s.String(jiraToken))
	s.Add(jiraToken, adminToken)
	assert.Equal(t, redact.Redacted, s.String(jiraToken))
	own := s.Except(jiraToken)
	assert.Equal(t, jiraToken, own.String(jiraToken), "a client's own credential reaches its service")
	assert.Equal(t, redact.Redacted, own.String(adminToken))
	assert.Equal(t, redact.Redacted, s.String(jiraToken), "Except leaves the original alone")
}

// TestArgsFindsSecretsAcrossArguments: a command line is scrubbed as one
// text, so a credential typed unquoted after Authorization: Bearer is
// found, and the arguments come back split where they were, each whole.
func TestArgsFindsSecretsAcrossArguments(t *testing.T) {
	s := redact.New(jiraToken)
	args := []string{"the call", "failed;", "Authorization:", "Bearer", bearerCred, "--zone", "bad zone!", "{\n \"token\": \"" + jiraToken + "\"\n}"}
	out, hits := s.Args(args)
	assert.Equal(t, []string{"the call", "failed;", "Authorization:", "Bearer", redact.Redacted, "--zone", "bad zone!", "{\n \"token\": \"" + redact.Redacted + "\"\n}"}, out)
	assert.Len(t, hits, 2)

	clean := []string{"why", requestID, "--status", "403", "a\nb"}
	same, hits := s.Args(clean)
	assert.Equal(t, clean, same)
	assert.Empty(t, hits)
}

func TestValueSecretKeys(t *testing.T) {
	in := map[string]any{
		"request_id": requestID,
		"metadata": map[string]any{
			"Password": "p1", "accessToken": "p2", "X-Api-Key": "p3", "Set-Cookie": []any{"a=p4", "b=p5"},
			"subject_token": "p6", "APIKey": "p7", "session": "p8", "assertion": "p9",
			"db_password": 123456, "webhookSecret": true,
			"session_id": sessionID, "agent_session_id": agentSession, "token_type": "urn:ietf:params:oauth:token-type:jwt",
			"secret_backend_errors": 3.0, "denials_bad_bearer": 2, "token": nil, "refresh_token": "",
			"private_key": map[string]any{"kid": "k1", "id": "key-7", "d": "p10"},
			"session_obj": map[string]any{"session": map[string]any{"id": sessionID}},
		},
	}
	out, reds := redact.New().Value(in)
	raw, err := json.Marshal(out)
	require.NoError(t, err)
	for _, secret := range []string{"p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "p10", "123456"} {
		assert.NotContains(t, string(raw), `"`+secret+`"`)
		assert.NotContains(t, string(raw), `=`+secret)
		assert.NotContains(t, string(raw), `:`+secret)
	}
	m := out.(map[string]any)["metadata"].(map[string]any)
	assert.Equal(t, sessionID, m["session_id"], "identifiers are kept")
	assert.Equal(t, agentSession, m["agent_session_id"])
	assert.Equal(t, "urn:ietf:params:oauth:token-type:jwt", m["token_type"])
	assert.Equal(t, json.Number("3"), m["secret_backend_errors"], "counters are evidence")
	assert.Equal(t, json.Number("2"), m["denials_bad_bearer"])
	assert.Equal(t, redact.Redacted, m["db_password"], "numbers under secret keys are removed")
	assert.Equal(t, true, m["webhookSecret"], "a flag carries no secret")
	assert.Nil(t, m["token"])
	assert.Equal(t, "", m["refresh_token"])
	assert.Equal(t, "key-7", m["private_key"].(map[string]any)["id"], "ids stay inside a secret object")
	assert.Equal(t, redact.Redacted, m["private_key"].(map[string]any)["d"])
	assert.Equal(t, sessionID, m["session_obj"].(map[string]any)["session"].(map[string]any)["id"])
	assert.Equal(t, requestID, out.(map[string]any)["request_id"])

	paths := map[string]string{}
	for _, r := range reds {
		assert.Empty(t, r.File)
		paths[r.Path] = r.Kind
	}
	assert.Equal(t, redact.KindSecretKey, paths["$.metadata.Password"])
	assert.Equal(t, redact.KindSecretKey, paths[`$.metadata["Set-Cookie"][1]`])
	assert.Equal(t, redact.KindSecretKey, paths["$.metadata.private_key.d"])
	assert.Equal(t, redact.KindSecretKey, paths["$.metadata.db_password"])
	assert.Len(t, reds, 12)
	for _, r := range reds {
		assert.NotRegexp(t, `p\d+`, strings.TrimPrefix(r.Path, "$.metadata"), "paths carry no values")
	}
}

func TestValueShapesAndKeys(t *testing.T) {
	out, reds := redact.New().Value([]any{
		map[string]any{"note": "see " + slackToken, slackToken: 1},
		"Bearer " + bearerCred,
	})
	raw, err := json.Marshal(out)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), slackToken)
	assert.NotContains(t, string(raw), bearerCred)
	assert.ElementsMatch(t, []redact.Redaction{
		{Path: "$[0].note", Kind: redact.KindSlackToken},
		{Path: `$[0]["xoxb-[redacted]"] (key)`, Kind: redact.KindSlackToken},
		{Path: "$[1]", Kind: redact.KindBearer},
	}, reds)
}

func TestEncodeKeepsOrderAndRemovesSecrets(t *testing.T) {
	type doc struct {
		RequestID string `json:"request_id"`
		Note      string `json:"note"`
		Token     string `json:"token"`
		HTML      string `json:"html"`
	}
	out, reds, err := redact.New(jiraToken).Encode(doc{RequestID: requestID, Note: "echo " + jiraToken, Token: "x", HTML: "a<b>&c"})
	require.NoError(t, err)
	assert.Equal(t, "{\n  \"request_id\": \""+requestID+"\",\n  \"note\": \"echo [redacted]\",\n  \"token\": \"[redacted]\",\n  \"html\": \"a<b>&c\"\n}\n", string(out))
	assert.Len(t, reds, 2)
}

func TestValueUnencodable(t *testing.T) {
	out, reds := redact.New().Value(map[string]any{"f": func() {}})
	assert.Nil(t, out)
	assert.Equal(t, []redact.Redaction{{Path: "$", Kind: redact.KindUnencodable}}, reds)
}

func TestTextLocatesHitsByLine(t *testing.T) {
	_, hits := redact.New(jiraToken).Text("ok\npassword=x1\n\n" + jiraToken)
	assert.ElementsMatch(t, []redact.Hit{{Kind: redact.KindInlineSecret, Line: 2}, {Kind: redact.KindConfigured, Line: 4}}, hits)
}

func TestScrubberIsSafeForConcurrentUse(t *testing.T) {
	s := redact.New()
	done := make(chan struct{})
	for i := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			if i%2 == 0 {
				s.Add(jiraToken)
			}
			got, hits := s.Text("Bearer " + bearerCred)
			assert.Equal(t, "Bearer [redacted]", got)
			assert.Len(t, hits, 1)
		}()
	}
	for range 8 {
		<-done
	}
	assert.Equal(t, redact.Redacted, s.String(jiraToken))
}
