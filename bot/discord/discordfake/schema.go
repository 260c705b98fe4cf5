package discordfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// shape is what a JSON value of a request may be, from the fields Discord's
// API v10 reference documents for it: an object with known fields, a list,
// or any other value (a leaf).
type shape struct {
	fields map[string]*shape // an object's fields; nil: not checked as an object
	elem   *shape            // a list's elements; nil: not checked as a list
}

var leaf = &shape{}

func object(fields map[string]*shape) *shape { return &shape{fields: fields} }
func list(elem *shape) *shape                { return &shape{elem: elem} }

// leaves is an object's fields that are all leaves.
func leaves(names ...string) map[string]*shape {
	m := map[string]*shape{}
	for _, n := range names {
		m[n] = leaf
	}
	return m
}

// with adds fields to an object's.
func with(fields map[string]*shape, more map[string]*shape) map[string]*shape {
	out := maps.Clone(fields)
	maps.Copy(out, more)
	return out
}

// The shapes of the bodies the fake checks, from
// https://discord.com/developers/docs/resources/message (create and edit
// message, embed, allowed mentions, attachment), .../resources/webhook
// (execute, edit message), .../interactions/receiving-and-responding
// (interaction response), .../components/reference (action row, button),
// .../resources/message#start-thread-from-message and
// .../interactions/application-commands (command, option, choice).
var (
	embedShape = object(with(leaves("title", "type", "description", "url", "timestamp", "color"), map[string]*shape{
		"footer":    object(leaves("text", "icon_url")),
		"image":     object(leaves("url")),
		"thumbnail": object(leaves("url")),
		"author":    object(leaves("name", "url", "icon_url")),
		"fields":    list(object(leaves("name", "value", "inline"))),
	}))
	buttonShape    = object(leaves("type", "id", "style", "label", "emoji", "custom_id", "sku_id", "url", "disabled"))
	rowShape       = object(with(leaves("type", "id"), map[string]*shape{"components": list(buttonShape)}))
	mentionsShape  = object(with(leaves("replied_user"), map[string]*shape{"parse": list(leaf), "roles": list(leaf), "users": list(leaf)}))
	attachmentList = list(object(leaves("id", "filename", "description")))

	// messageParts are the fields every kind of message body shares.
	messageParts = map[string]*shape{
		"content": leaf, "embeds": list(embedShape), "allowed_mentions": mentionsShape,
		"components": list(rowShape), "attachments": attachmentList,
	}
	createMessageShape = object(with(messageParts, map[string]*shape{"nonce": leaf, "tts": leaf, "message_reference": leaf,
		"sticker_ids": list(leaf), "flags": leaf, "enforce_nonce": leaf, "poll": leaf}))
	editMessageShape    = object(with(messageParts, leaves("flags")))
	executeWebhookShape = object(with(messageParts, map[string]*shape{"username": leaf, "avatar_url": leaf, "tts": leaf,
		"flags": leaf, "thread_name": leaf, "applied_tags": list(leaf), "poll": leaf}))
	editWebhookShape = object(with(messageParts, leaves("poll")))

	callbackShape        = object(leaves("type", "data"))
	callbackMessageShape = object(with(messageParts, leaves("tts", "flags", "poll")))
	callbackDeferShape   = object(leaves("flags"))

	threadShape = object(leaves("name", "auto_archive_duration", "rate_limit_per_user"))

	optionShape  = optionShapeOf()
	commandShape = object(with(leaves("name", "name_localizations", "description", "description_localizations",
		"default_member_permissions", "dm_permission", "default_permission", "type", "nsfw"),
		map[string]*shape{"options": list(optionShape), "integration_types": list(leaf), "contexts": list(leaf)}))
	commandsShape = list(commandShape)
)

// optionShapeOf is an option of a command, whose options are options.
func optionShapeOf() *shape {
	o := object(leaves("type", "name", "name_localizations", "description", "description_localizations", "required",
		"min_value", "max_value", "min_length", "max_length", "autocomplete"))
	o.fields["choices"] = list(object(leaves("name", "name_localizations", "value")))
	o.fields["channel_types"] = list(leaf)
	o.fields["options"] = list(o)
	return o
}

// bodyShapes are the shapes of the routes' request bodies.
var bodyShapes = map[string]*shape{
	RouteCreateMessage: createMessageShape,
	RouteEditMessage:   editMessageShape,
	RouteFollowup:      executeWebhookShape,
	RouteEditOriginal:  editWebhookShape,
	RouteCallback:      callbackShape,
	RouteStartThread:   threadShape,
	RouteCommands:      commandsShape,
	RouteGuildCommands: commandsShape,
}

// callbackDataShape is the shape of a callback's data by its type: a
// message (4, 7), a deferral's flags (5), none for a pong (1) or a
// deferred update (6).
func callbackDataShape(typ int) *shape {
	switch typ {
	case 4, 7:
		return callbackMessageShape
	case 5:
		return callbackDeferShape
	}
	return nil
}

// checkShape checks a JSON body against a route's shape: every field
// documented, no null anywhere (the bot sends a field or leaves it out).
// It returns the path of the first problem and what it is ("" when none).
func checkShape(raw []byte, sh *shape) (path, problem string) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", "body is not JSON: " + err.Error()
	}
	return walk("", v, sh)
}

func walk(path string, v any, sh *shape) (string, string) {
	switch v := v.(type) {
	case nil:
		return path, "null: send the field or leave it out"
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			child := leaf
			if sh.fields != nil {
				if child = sh.fields[k]; child == nil {
					return join(path, k), "not a field of this object in API v10"
				}
			}
			if p, msg := walk(join(path, k), v[k], child); msg != "" {
				return p, msg
			}
		}
		return "", ""
	case []any:
		elem := sh.elem
		if elem == nil {
			elem = leaf
		}
		for i, e := range v {
			if p, msg := walk(join(path, strconv.Itoa(i)), e, elem); msg != "" {
				return p, msg
			}
		}
		return "", ""
	}
	switch {
	case sh.fields != nil:
		return path, fmt.Sprintf("must be an object, got %v", v)
	case sh.elem != nil:
		return path, fmt.Sprintf("must be an array, got %v", v)
	}
	return "", ""
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// errorTree is the "errors" object of Discord's 50035 answer for a
// problem at path: {"embeds":{"0":{"description":{"_errors":[...]}}}}.
func errorTree(path, problem string) map[string]any {
	tree := map[string]any{"_errors": []any{map[string]any{"code": "INVALID", "message": problem}}}
	if path == "" {
		return tree
	}
	parts := strings.Split(path, ".")
	for i := len(parts) - 1; i >= 0; i-- {
		tree = map[string]any{parts[i]: tree}
	}
	return tree
}
