package bundle_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/caracal-bot/caracal-bot/bundle"
)

func TestRedactTextFindsSecretsByShape(t *testing.T) {
	jwt := jwtHeader + "." + jwtPayload + "." + jwtSignature
	for _, tc := range []struct {
		name, in, want string
	}{
		{"bearer", "401 with Bearer " + bearerCred + " sent", "401 with Bearer [redacted] sent"},
		{"bearer lower case", "authorization header: bearer " + bearerCred, "authorization header: bearer [redacted]"},
		{"authorization header", "Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic [redacted]"},
		{"authorization JSON", `{"authorization":"tok-12345678"}`, `{"authorization":"[redacted]"}`},
		{"api key header", "X-Api-Key: abcdef123456", "X-Api-Key: [redacted]"},
		{"bearer JWT keeps header and payload", "Bearer " + jwt, "Bearer " + jwtHeader + "." + jwtPayload + ".[redacted-signature]"},
		{"bare JWT", "mandate=" + jwt + ";", "mandate=" + jwtHeader + "." + jwtPayload + ".[redacted-signature];"},
		{"slack bot", "posted by " + slackToken, "posted by xoxb-[redacted]"},
		{"slack app", "xapp-1-A0123456789-0123456789-abcdef", "xapp-[redacted]"},
		{"slack user", "xoxp-0123456789-0123456789", "xoxp-[redacted]"},
		{"github classic", "token " + githubToken, "token ghp_[redacted]"},
		{"github fine-grained", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "github_pat_[redacted]"},
		{"aws", "key " + awsKey + " leaked", "key AKIA[redacted] leaked"},
		{"private key", "x -----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- y", "x [redacted private key] y"},
		{"url userinfo", "GET http://bot:" + adminToken + "@127.0.0.1:7000/ready", "GET http://[redacted]@127.0.0.1:7000/ready"},
		{"url user only", "https://" + adminToken + "@caracal.example/", "https://[redacted]@caracal.example/"},
		{"url query", "https://h/cb?code=abc123&state=x&access_token=tok", "https://h/cb?code=[redacted]&state=x&access_token=[redacted]"},
		{"inline password", "dial: password=hunter22, retrying", "dial: password=[redacted], retrying"},
		{"inline client_secret JSON", `{"client_secret": "abc"}`, `{"client_secret": "[redacted]"}`},
		{"discord", "MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs", "[redacted]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, n := bundle.RedactText(tc.in)
			assert.Equal(t, tc.want, got)
			assert.Positive(t, n)
			again, n2 := bundle.RedactText(got)
			assert.Equal(t, got, again, "redacting twice changes nothing")
			assert.Zero(t, n2)
		})
	}
}

func TestRedactTextKeepsEvidence(t *testing.T) {
	for _, s := range []string{
		requestID, zoneID, manifestSHA, "sha256:" + manifestSHA,
		"policy set prod-v3 grants payments:write to application billing-agent",
		"look for client retries that resend the same bearer.",
		"the request carried no bearer token.", "Bearer authentication failed",
		"token_exchange deny invalid_token insufficient_scope", "admin_token_missing",
		"GET /v1/zones/" + zoneID + "/audit/by-request/" + requestID + "/explain",
		"https://docs.caracal.run/reference/faq/", "http://127.0.0.1:7000/ready",
		"dGhpcyBpcyBhIGxvbmcgYmFzZTY0IHN0cmluZyB0aGF0IGlzIG5vdCBhIHNlY3JldA==",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567",
		"", "[redacted]",
	} {
		got, n := bundle.RedactText(s)
		assert.Equal(t, s, got)
		assert.Zero(t, n, s)
	}
}

func TestRedactValueSecretKeys(t *testing.T) {
	in := map[string]any{
		"request_id": requestID,
		"metadata": map[string]any{
			"Password": "p1", "accessToken": "p2", "X-Api-Key": "p3", "Set-Cookie": []any{"a=p4", "b=p5"},
			"subject_token": "p6", "APIKey": "p7", "session": "p8", "assertion": "p9",
			"session_id": sessionID, "agent_session_id": agentSession, "token_type": "urn:ietf:params:oauth:token-type:jwt",
			"secret_backend_errors": 3.0, "token": nil, "refresh_token": "",
			"private_key": map[string]any{"kid": "k1", "id": "key-7", "d": "p10"},
			"session_obj": map[string]any{"session": map[string]any{"id": sessionID}},
		},
	}
	out, reds := bundle.Redact(in)
	raw, err := json.Marshal(out)
	require.NoError(t, err)
	for _, secret := range []string{"p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "p10"} {
		assert.NotContains(t, string(raw), `"`+secret+`"`)
		assert.NotContains(t, string(raw), `=`+secret)
	}
	m := out.(map[string]any)["metadata"].(map[string]any)
	assert.Equal(t, sessionID, m["session_id"], "identifiers are kept")
	assert.Equal(t, agentSession, m["agent_session_id"])
	assert.Equal(t, "urn:ietf:params:oauth:token-type:jwt", m["token_type"])
	assert.Equal(t, json.Number("3"), m["secret_backend_errors"], "numbers under secret-ish keys are evidence")
	assert.Nil(t, m["token"])
	assert.Equal(t, "", m["refresh_token"])
	assert.Equal(t, "key-7", m["private_key"].(map[string]any)["id"], "ids stay inside a secret object")
	assert.Equal(t, "[redacted]", m["private_key"].(map[string]any)["d"])
	assert.Equal(t, sessionID, m["session_obj"].(map[string]any)["session"].(map[string]any)["id"])
	assert.Equal(t, requestID, out.(map[string]any)["request_id"])

	paths := map[string]string{}
	for _, r := range reds {
		assert.Empty(t, r.File)
		paths[r.Path] = r.Kind
	}
	assert.Equal(t, bundle.KindSecretKey, paths["$.metadata.Password"])
	assert.Equal(t, bundle.KindSecretKey, paths[`$.metadata["Set-Cookie"][1]`])
	assert.Equal(t, bundle.KindSecretKey, paths["$.metadata.private_key.d"])
	assert.Len(t, reds, 11)
	for _, r := range reds {
		assert.NotRegexp(t, `p\d+`, strings.TrimPrefix(r.Path, "$.metadata"), "paths carry no values")
	}
}

func TestRedactValueShapesAndKeys(t *testing.T) {
	out, reds := bundle.Redact([]any{
		map[string]any{"note": "see " + slackToken, slackToken: 1},
		"Bearer " + bearerCred,
	})
	raw, err := json.Marshal(out)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), slackToken)
	assert.NotContains(t, string(raw), bearerCred)
	assert.ElementsMatch(t, []bundle.Redaction{
		{Path: "$[0].note", Kind: bundle.KindSlackToken},
		{Path: `$[0]["xoxb-[redacted]"] (key)`, Kind: bundle.KindSlackToken},
		{Path: "$[1]", Kind: bundle.KindBearer},
	}, reds)
}

func TestRedactUnencodable(t *testing.T) {
	out, reds := bundle.Redact(map[string]any{"f": func() {}})
	assert.Nil(t, out)
	assert.Equal(t, []bundle.Redaction{{Path: "$", Kind: bundle.KindUnencodable}}, reds)
}

func TestRedactorIsSafeForConcurrentUse(t *testing.T) {
	r := bundle.NewRedactor()
	done := make(chan struct{})
	for range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			s, n := r.Text("Bearer " + bearerCred)
			assert.Equal(t, "Bearer [redacted]", s)
			assert.Equal(t, 1, n)
		}()
	}
	for range 8 {
		<-done
	}
}
