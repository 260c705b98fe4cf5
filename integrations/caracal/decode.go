package caracal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// decodeObject decodes a 2xx body that must be one JSON object into v.
func decodeObject(cl call, body []byte, v any) error {
	return decodeShape(cl, body, '{', v)
}

// decodeArray decodes a 2xx body that must be one JSON array into v.
func decodeArray(cl call, body []byte, v any) error {
	return decodeShape(cl, body, '[', v)
}

// decodeShape decodes body into v after checking that it opens with want
// ('{' or '['), so that null, scalars and the wrong container are rejected
// rather than silently yielding a zero value. Unknown fields are ignored.
func decodeShape(cl call, body []byte, want byte, v any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return &DecodeError{Service: cl.svc, Path: cl.path, Err: errors.New("empty body")}
	}
	if trimmed[0] != want {
		kind := "object"
		if want == '[' {
			kind = "array"
		}
		return &DecodeError{Service: cl.svc, Path: cl.path, Err: fmt.Errorf("body is not a JSON %s", kind)}
	}
	if err := json.Unmarshal(trimmed, v); err != nil {
		return &DecodeError{Service: cl.svc, Path: cl.path, Err: err}
	}
	return nil
}

// decodeList decodes a list envelope straight into its typed items (no
// copy of the items' bytes). The items key must hold an array: an object
// without it, or with null, is not a list, and reading it as "no rows"
// would mislead.
func decodeList[T any](cl call, body []byte) (*List[T], error) {
	out := &List[T]{}
	if err := decodeObject(cl, body, out); err != nil {
		return nil, err
	}
	if out.Items == nil {
		return nil, &DecodeError{Service: cl.svc, Path: cl.path, Err: errors.New(`list envelope has no "items" array`)}
	}
	return out, nil
}

// getObject fetches cl and decodes a JSON object body into a new T.
func getObject[T any](ctx context.Context, c *Client, cl call) (*T, error) {
	body, err := c.fetch(ctx, cl)
	if err != nil {
		return nil, err
	}
	out := new(T)
	if err := decodeObject(cl, body, out); err != nil {
		return nil, err
	}
	return out, nil
}

// getList fetches one page of a list endpoint.
func getList[T any](ctx context.Context, c *Client, cl call) (*List[T], error) {
	body, err := c.fetch(ctx, cl)
	if err != nil {
		return nil, err
	}
	return decodeList[T](cl, body)
}
