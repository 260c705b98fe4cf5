package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// decodeYAML decodes a YAML file into c, recording where each value came
// from. It walks the node tree against c's yaml tags itself (rather than
// yaml's KnownFields) so that every unknown key, duplicate key and wrong
// type is reported with its full YAML path and line, all at once. A file
// that is not YAML at all is an error.
func decodeYAML(data []byte, c *Config) (problems []Problem, err error) {
	defer func() {
		// The YAML library has panicked on hostile input before; a bad
		// config file must be an error, not a crash.
		if r := recover(); r != nil {
			problems, err = nil, fmt.Errorf("yaml: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil // empty, or only comments
		}
		return nil, err
	}
	d := &decoder{origins: c.origins, platforms: c.platformNames()}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		d.add("", extra.Line, "the file holds more than one YAML document; use one")
	case !errors.Is(err, io.EOF):
		return nil, err
	}
	if len(doc.Content) > 0 {
		d.walk(doc.Content[0], reflect.ValueOf(c).Elem(), "", doc.Content[0].Line)
	}
	return d.problems, nil
}

type decoder struct {
	origins map[string]Origin
	// platforms are the chat platform names a field tagged "*<suffix>"
	// accepts as <name><suffix> keys (see perPlatform).
	platforms []string
	problems  []Problem
}

func (d *decoder) add(path string, line int, msg string) {
	d.problems = append(d.problems, Problem{Field: path, Line: line, Message: msg})
}

// walk decodes n into v. line is the line of the key that holds n.
func (d *decoder) walk(n *yaml.Node, v reflect.Value, path string, line int) {
	n = resolveAlias(n)
	if n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null") {
		return // an empty value leaves the setting unset
	}
	switch {
	case v.Kind() == reflect.Pointer && v.Type().Elem().Kind() == reflect.Struct:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.walk(n, v.Elem(), path, line)
	case v.Kind() == reflect.Struct:
		d.mapping(n, v, path)
	case v.Kind() == reflect.Slice && v.Type() != reflect.TypeFor[[]byte]():
		d.sequence(n, v, path, line)
	case v.Kind() == reflect.Map && v.Type().Key().Kind() == reflect.String:
		d.dictionary(n, v, path, line)
	default:
		d.leaf(n, v, path, line)
	}
}

func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.add(path, n.Line, "must be a mapping of keys to values, got "+describe(n))
		return
	}
	keys := yamlKeys(v.Type())
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := resolveAlias(n.Content[i]), n.Content[i+1]
		if k == nil || k.Kind != yaml.ScalarNode {
			d.add(path, n.Content[i].Line, "keys must be plain words, got "+describe(k))
			continue
		}
		p := join(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			d.add(p, k.Line, fmt.Sprintf("duplicate key (first at line %d)", first))
			continue
		}
		seen[k.Value] = k.Line
		idx, ok := keys[k.Value]
		if !ok {
			if idx, platform, ok := d.perPlatform(v.Type(), k.Value); ok {
				d.platformValue(val, v.Field(idx), platform, p, k.Line)
				continue
			}
			d.add(p, k.Line, unknownKey(k.Value, d.keyNames(v.Type())))
			continue
		}
		d.walk(val, v.Field(idx), p, k.Line)
	}
}

// perPlatform finds the field of struct type t that holds key as one
// platform's value: a map field tagged "*<suffix>" (e.g. "*_channels")
// takes the keys <platform><suffix> of the chat platforms.
func (d *decoder) perPlatform(t reflect.Type, key string) (idx int, platform string, ok bool) {
	for i := range t.NumField() {
		suffix, pattern := strings.CutPrefix(yamlName(t.Field(i)), "*")
		if !pattern {
			continue
		}
		if name, found := strings.CutSuffix(key, suffix); found && slices.Contains(d.platforms, name) {
			return i, name, true
		}
	}
	return 0, "", false
}

// platformValue decodes n as platform's entry of the map v.
func (d *decoder) platformValue(n *yaml.Node, v reflect.Value, platform, path string, line int) {
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	elem := reflect.New(v.Type().Elem()).Elem()
	d.walk(n, elem, path, line)
	v.SetMapIndex(reflect.ValueOf(platform), elem)
}

// keyNames lists the YAML keys of struct type t, a "*<suffix>" field
// giving one key per chat platform.
func (d *decoder) keyNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		name := yamlName(t.Field(i))
		if suffix, pattern := strings.CutPrefix(name, "*"); pattern {
			for _, p := range d.platforms {
				names = append(names, p+suffix)
			}
		} else if name != "" {
			names = append(names, name)
		}
	}
	return names
}

// dictionary decodes a mapping with free-form keys (e.g. permission rules
// by command name) into a map.
func (d *decoder) dictionary(n *yaml.Node, v reflect.Value, path string, line int) {
	if n.Kind != yaml.MappingNode {
		d.add(path, n.Line, "must be a mapping of keys to values, got "+describe(n))
		return
	}
	m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := resolveAlias(n.Content[i])
		if k == nil || k.Kind != yaml.ScalarNode {
			d.add(path, n.Content[i].Line, "keys must be plain words, got "+describe(k))
			continue
		}
		p := join(path, k.Value)
		if m.MapIndex(reflect.ValueOf(k.Value).Convert(v.Type().Key())).IsValid() {
			d.add(p, k.Line, "duplicate key")
			continue
		}
		elem := reflect.New(v.Type().Elem()).Elem()
		d.walk(n.Content[i+1], elem, p, k.Line)
		d.origins[p] = Origin{Source: SourceFile, Line: k.Line}
		m.SetMapIndex(reflect.ValueOf(k.Value).Convert(v.Type().Key()), elem)
	}
	v.Set(m)
	d.origins[path] = Origin{Source: SourceFile, Line: line}
}

func (d *decoder) sequence(n *yaml.Node, v reflect.Value, path string, line int) {
	if n.Kind != yaml.SequenceNode {
		d.add(path, n.Line, "must be a list, got "+describe(n))
		return
	}
	items := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		p := fmt.Sprintf("%s[%d]", path, i)
		d.origins[p] = Origin{Source: SourceFile, Line: item.Line}
		d.walk(item, items.Index(i), p, item.Line)
	}
	v.Set(items)
	d.origins[path] = Origin{Source: SourceFile, Line: line}
}

func (d *decoder) leaf(n *yaml.Node, v reflect.Value, path string, line int) {
	t := v.Type()
	if n.Kind != yaml.ScalarNode {
		d.add(path, line, expect(t)+", got "+describe(n))
		return
	}
	if err := n.Decode(v.Addr().Interface()); err != nil {
		msg := expect(t)
		if t != reflect.TypeFor[Secret]() { // never echo a token, even a malformed one
			msg += ", got " + quote(n.Value)
		}
		d.add(path, line, msg)
		return
	}
	d.origins[path] = Origin{Source: SourceFile, Line: line}
}

// expect says what a leaf of type t must hold.
func expect(t reflect.Type) string {
	switch {
	case t == reflect.TypeFor[time.Duration]():
		return `must be a duration such as "5s" or "1m30s"`
	case t.Kind() == reflect.String:
		return "must be a string"
	case t.Kind() == reflect.Bool:
		return "must be true or false"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return "must be a whole number"
	default:
		return "must be a " + t.String()
	}
}

// describe names a node's kind for messages.
func describe(n *yaml.Node) string {
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a single value"
	default:
		return "an unsupported node"
	}
}

// resolveAlias follows *alias references to the anchored node.
func resolveAlias(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

// yamlKeys maps each yaml key of struct type t to its field index; the
// "*<suffix>" fields of per-platform keys are left to perPlatform.
func yamlKeys(t reflect.Type) map[string]int {
	keys := map[string]int{}
	for i := range t.NumField() {
		if name := yamlName(t.Field(i)); name != "" && !strings.HasPrefix(name, "*") {
			keys[name] = i
		}
	}
	return keys
}

// yamlName is a field's YAML key, or "" when the field is not in YAML.
func yamlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// unknownKey explains an unknown key, suggesting the closest of names.
func unknownKey(key string, names []string) string {
	best, bestDist := "", len(key)+1
	lower := strings.ToLower(key)
	for _, name := range names {
		// A near miss: a few edits for the name's length, or a clipped name.
		d := editDistance(lower, name)
		near := d <= max(1, len(name)/3) || (len(lower) >= 3 && strings.HasPrefix(name, lower))
		if near && d < bestDist {
			best, bestDist = name, d
		}
	}
	if best != "" {
		return fmt.Sprintf("unknown key; did you mean %q?", best)
	}
	return "unknown key; expected one of: " + strings.Join(names, ", ")
}

// editDistance is the Levenshtein distance between a and b; inputs longer
// than 64 bytes (never a near miss of a key) count as far apart.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
