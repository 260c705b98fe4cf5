package chat_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/caracal-bot/caracal-bot/chat"
)

func TestSectionFileNamesAreUniqueAndTextIsPlain(t *testing.T) {
	used := map[string]int{}
	s := chat.Section{Title: "Request trace", Items: []chat.Item{{Mark: "fail", Text: "policy denied", URL: "https://docs.caracal.run/x"}},
		Table: &chat.Table{Header: []string{"a"}, Rows: [][]string{{"1"}}}}
	first, second := chat.SectionFile(s, used), chat.SectionFile(s, used)
	assert.Equal(t, "request-trace.txt", first.Name)
	assert.Equal(t, "request-trace-2.txt", second.Name)
	assert.Equal(t, "text/plain; charset=utf-8", first.ContentType)
	assert.Contains(t, string(first.Data), "policy denied")
	assert.Contains(t, string(first.Data), "https://docs.caracal.run/x")
	assert.Equal(t, "section.txt", chat.SectionFile(chat.Section{Title: "!!"}, used).Name)
}
