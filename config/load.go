package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// maxSecretFileBytes caps how much of a *_FILE is read, so a wrong path
// (a log file, /dev/zero) fails fast instead of filling memory.
const maxSecretFileBytes = 64 << 10

// Load reads the configuration: the YAML file at path, then the environment
// (looked up through env; main passes os.LookupEnv), then defaults, then
// validation. When path is "" it reads DefaultFile from the working
// directory if that exists, else runs on environment and defaults alone; a
// path that is given must exist.
//
// A file that is not YAML, or cannot be read, gives a plain error. Every
// other problem (unknown keys, wrong types, conflicting or unreadable token
// files, invalid values) is collected into one *ValidationError.
func Load(path string, env func(string) (string, bool)) (*Config, error) {
	if env == nil {
		env = func(string) (string, bool) { return "", false }
	}
	file, err := findFile(path)
	if err != nil {
		return nil, err
	}
	c := newConfig()
	c.file = file
	var problems []Problem
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		p, err := decodeYAML(data, c)
		if err != nil {
			return nil, fmt.Errorf("config: parse %s: %w", file, err)
		}
		problems = append(problems, p...)
		problems = append(problems, c.fileTokenConflicts()...)
	}
	problems = append(problems, c.applyEnv(env)...)
	c.applyDefaults()
	problems = append(problems, c.readTokenFiles()...)
	problems = append(problems, c.validate()...)
	if len(problems) > 0 {
		return nil, &ValidationError{File: file, Problems: problems}
	}
	c.normalize()
	return c, nil
}

// findFile resolves Load's path argument.
func findFile(path string) (string, error) {
	if path != "" {
		if _, err := os.Stat(path); err != nil {
			return "", fmt.Errorf("config: %w", err)
		}
		return path, nil
	}
	_, err := os.Stat(DefaultFile)
	switch {
	case err == nil:
		return DefaultFile, nil
	case errors.Is(err, fs.ErrNotExist):
		return "", nil
	default:
		return "", fmt.Errorf("config: %w", err)
	}
}

// lookup returns an environment value; empty counts as unset.
func lookup(env func(string) (string, bool), name string) (string, bool) {
	v, ok := env(name)
	return v, ok && v != ""
}

// fileTokenConflicts reports tokens given both inline and as a file in the
// YAML file.
func (c *Config) fileTokenConflicts() []Problem {
	var problems []Problem
	for _, s := range c.settings() {
		if s.file == nil {
			continue
		}
		_, inline := c.origins[s.path]
		_, file := c.origins[s.filePath()]
		if inline && file {
			problems = append(problems, c.problem(s.path,
				fmt.Sprintf("both %s and %s are set in the file; set only one", s.path, s.filePath())))
			*s.file = "" // do not also report on reading it
		}
	}
	return problems
}

// applyEnv overrides settings from the environment.
func (c *Config) applyEnv(env func(string) (string, bool)) []Problem {
	var problems []Problem
	for _, s := range c.settings() {
		if s.env == "" {
			continue
		}
		val, ok := lookup(env, s.env)
		if s.file != nil {
			path, fromFile := lookup(env, s.fileEnv())
			if ok && fromFile {
				problems = append(problems, Problem{Field: s.path, Env: s.env,
					Message: fmt.Sprintf("both %s and %s are set; set only one", s.env, s.fileEnv())})
				continue
			}
			if fromFile {
				*s.file = path
				_ = setFromString(s.ptr, "")
				c.origins[s.path] = Origin{Source: SourceEnv, Env: s.fileEnv()}
				continue
			}
			if ok {
				*s.file = ""
			}
		}
		if !ok {
			continue
		}
		if err := setFromString(s.ptr, val); err != nil {
			problems = append(problems, Problem{Field: s.path, Env: s.env, Message: err.Error()})
			continue
		}
		c.origins[s.path] = Origin{Source: SourceEnv, Env: s.env}
	}
	return problems
}

// readTokenFiles reads every token whose *_file (YAML) or X_FILE
// (environment) won.
func (c *Config) readTokenFiles() []Problem {
	var problems []Problem
	for _, s := range c.settings() {
		if s.file == nil || *s.file == "" {
			continue
		}
		origin, ok := c.origins[s.path]
		if !ok || origin.Source != SourceEnv {
			origin = c.origins[s.filePath()]
		}
		name := *s.file
		if origin.Source == SourceFile && !filepath.IsAbs(name) && c.file != "" {
			name = filepath.Join(filepath.Dir(c.file), name)
		}
		origin.Path = name
		value, msg := readTokenFile(name)
		if msg != "" {
			problems = append(problems, Problem{Field: s.filePath(), Env: s.fileEnv(), Line: origin.Line, Message: msg})
			continue
		}
		*s.file = name
		_ = setFromString(s.ptr, value)
		c.origins[s.path] = origin
	}
	return problems
}

// readTokenFile returns a token file's content without trailing whitespace,
// or a message that names the file but never its content.
func readTokenFile(name string) (string, string) {
	f, err := os.Open(name)
	if err != nil {
		return "", "cannot read token file: " + err.Error()
	}
	defer func() { _ = f.Close() }()
	data, err := io.ReadAll(io.LimitReader(f, maxSecretFileBytes+1))
	if err != nil {
		return "", "cannot read token file: " + err.Error()
	}
	if len(data) > maxSecretFileBytes {
		return "", fmt.Sprintf("token file %q is larger than %d bytes; is it the right file?", name, maxSecretFileBytes)
	}
	value := strings.TrimRight(string(data), " \t\r\n")
	if value == "" {
		return "", fmt.Sprintf("token file %q is empty", name)
	}
	return value, ""
}

// setFromString parses s into the field ptr points to.
func setFromString(ptr any, s string) error {
	switch p := ptr.(type) {
	case *string:
		*p = s
	case *Secret:
		*p = Secret(s)
	case *time.Duration:
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("must be a duration such as \"5s\", got %s", quote(s))
		}
		*p = d
	case *int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("must be a whole number, got %s", quote(s))
		}
		*p = n
	case *bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("must be true or false, got %s", quote(s))
		}
		*p = b
	default:
		return fmt.Errorf("unsupported setting type %T", ptr)
	}
	return nil
}

// stringValue returns the text of a string or Secret field, revealed for
// checking; ok is false for other kinds.
func stringValue(ptr any) (value string, ok bool) {
	switch p := ptr.(type) {
	case *string:
		return *p, true
	case *Secret:
		return p.Reveal(), true
	}
	return "", false
}

// normalize puts valid values in canonical form (URLs lose trailing
// slashes).
func (c *Config) normalize() {
	for _, s := range c.settings() {
		if p, ok := s.ptr.(*string); ok && s.norm != nil {
			*p = s.norm(*p)
		}
	}
}
