package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// RunLogFile is the file FileRunLog keeps in its directory.
const RunLogFile = "scheduler-runs.json"

// RunLog remembers, per job, the last scheduled fire time the bot was up
// for, so that a restart can tell which runs it missed.
type RunLog interface {
	// LastRun returns the job's last recorded fire time, zero when none.
	LastRun(ctx context.Context, job string) (time.Time, error)
	// RecordRun records a fire time of the job.
	RecordRun(ctx context.Context, job string, at time.Time) error
}

// MemoryRunLog is a RunLog that forgets everything on restart: missed runs
// are then only noticed while the process lives.
type MemoryRunLog struct {
	mu   sync.Mutex
	runs map[string]time.Time
}

// NewMemoryRunLog returns an empty in-memory run log.
func NewMemoryRunLog() *MemoryRunLog { return &MemoryRunLog{runs: map[string]time.Time{}} }

// LastRun implements RunLog.
func (m *MemoryRunLog) LastRun(_ context.Context, job string) (time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.runs[job], nil
}

// RecordRun implements RunLog.
func (m *MemoryRunLog) RecordRun(_ context.Context, job string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.runs[job] = at
	return nil
}

// FileRunLog is a RunLog kept in a JSON file ({"job": "RFC 3339 time"})
// under a state directory, rewritten atomically on every record. With
// several replicas, give them a shared RunLog instead (or a shared volume):
// each replica's file only knows when that replica was up.
type FileRunLog struct {
	path string
	mu   sync.Mutex
}

// NewFileRunLog creates dir if needed and returns the run log kept in
// dir/scheduler-runs.json. An unreadable existing file is an error.
func NewFileRunLog(dir string) (*FileRunLog, error) {
	if dir == "" {
		return nil, errors.New("run log: no state directory")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("run log: %w", err)
	}
	l := &FileRunLog{path: filepath.Join(dir, RunLogFile)}
	if _, err := l.load(); err != nil {
		return nil, err
	}
	return l, nil
}

// OpenRunLog returns the run log for a state directory: a FileRunLog, or
// a MemoryRunLog when dir is "".
func OpenRunLog(dir string) (RunLog, error) {
	if dir == "" {
		return NewMemoryRunLog(), nil
	}
	return NewFileRunLog(dir)
}

// LastRun implements RunLog.
func (l *FileRunLog) LastRun(_ context.Context, job string) (time.Time, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	runs, err := l.load()
	if err != nil {
		return time.Time{}, err
	}
	return runs[job], nil
}

// RecordRun implements RunLog.
func (l *FileRunLog) RecordRun(_ context.Context, job string, at time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	runs, err := l.load()
	if err != nil {
		return err
	}
	runs[job] = at
	data, err := json.MarshalIndent(runs, "", "  ")
	if err != nil {
		return fmt.Errorf("run log: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(l.path), RunLogFile+".*")
	if err != nil {
		return fmt.Errorf("run log: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("run log: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("run log: %w", err)
	}
	if err := os.Rename(tmp.Name(), l.path); err != nil {
		return fmt.Errorf("run log: %w", err)
	}
	return nil
}

// load reads the file; a missing file is an empty log.
func (l *FileRunLog) load() (map[string]time.Time, error) {
	runs := map[string]time.Time{}
	data, err := os.ReadFile(l.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return runs, nil
	case err != nil:
		return nil, fmt.Errorf("run log: %w", err)
	}
	if err := json.Unmarshal(data, &runs); err != nil {
		return nil, fmt.Errorf("run log %s: %w", l.path, err)
	}
	return runs, nil
}
