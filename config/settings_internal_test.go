package config

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fieldAt follows a dotted YAML path through c's yaml tags and returns the
// address of the field it names.
func fieldAt(t *testing.T, c *Config, path string) any {
	t.Helper()
	v := reflect.ValueOf(c).Elem()
	for _, key := range strings.Split(path, ".") {
		idx, ok := yamlKeys(v.Type())[key]
		require.True(t, ok, "%s: no yaml key %q", path, key)
		v = v.Field(idx)
	}
	return v.Addr().Interface()
}

// The settings table and the yaml tags name the same fields.
func TestSettingsTableMatchesYAMLTags(t *testing.T) {
	c := newConfig()
	for _, s := range c.settings() {
		t.Run(s.path, func(t *testing.T) {
			assert.Equal(t, s.ptr, fieldAt(t, c, s.path))
			if s.file != nil {
				assert.Equal(t, s.file, fieldAt(t, c, s.filePath()))
				assert.Equal(t, s.fileEnv(), c.envFor(s.filePath()))
			}
			assert.Equal(t, s.env, c.envFor(s.path))
		})
	}
}

// Every scalar in the YAML shape is in the settings table (so it gets env,
// defaults, validation and a Summary line), except token *_file paths, the
// channel list, the schedules and the two watches, which have their own
// handling.
func TestEveryScalarIsASetting(t *testing.T) {
	c := newConfig()
	known := map[string]bool{}
	for _, s := range c.settings() {
		known[s.path] = true
		if s.file != nil {
			known[s.filePath()] = true
		}
	}
	var walk func(t reflect.Type, path string)
	walk = func(typ reflect.Type, path string) {
		for i := range typ.NumField() {
			name := yamlName(typ.Field(i))
			if name == "" {
				continue
			}
			p, ft := join(path, name), typ.Field(i).Type
			switch {
			case p == "channels", p == "permissions", p == "discord.gateway", p == "schedules", p == "watch", p == "denial_watch", p == "tickets.labels":
			case ft.Kind() == reflect.Struct:
				walk(ft, p)
			default:
				assert.True(t, known[p], "%s is not in settings()", p)
			}
		}
	}
	walk(reflect.TypeFor[Config](), "")
}

func TestEditDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"api_ur", "api_url", 1}, {"caracl", "caracal", 1}, {"abc", "xyz", 3}, {"", "log", 3}} {
		assert.Equal(t, tt.want, editDistance(tt.a, tt.b), tt.a+"/"+tt.b)
	}
}
