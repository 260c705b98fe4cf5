package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/caracal-bot/caracal-bot/chat"
)

// saveFiles writes the files a reply carries (a bundle's zip, the
// digest's chart), where chat would attach them: to saveAs when the
// command names one path (bundle --out), else each by its own name in
// outDir (--out-dir, created if need be), else in the working directory.
// Relative paths are taken from wd ("" : the process's). Each file is
// written whole or not at all, readable by its owner only. It returns the
// paths written, as given.
func saveFiles(files []chat.File, saveAs, outDir, wd string) ([]string, error) {
	if saveAs != "" && len(files) != 1 {
		return nil, fmt.Errorf("--out names one file and the reply carries %d", len(files))
	}
	if saveAs == "" && outDir != "" && len(files) > 0 {
		if err := os.MkdirAll(inDir(wd, outDir), 0o700); err != nil {
			return nil, fmt.Errorf("--out-dir: %w", err)
		}
	}
	var paths []string
	for _, f := range files {
		path := saveAs
		if path == "" {
			name := filepath.Base(f.Name)
			if name == "." || name == ".." || name == string(filepath.Separator) {
				return paths, fmt.Errorf("a file of the reply has no usable name: %q", f.Name)
			}
			path = filepath.Join(outDir, name)
		}
		if err := writeFileAtomic(inDir(wd, path), f.Data); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// inDir resolves a relative path against dir.
func inDir(dir, path string) string {
	if dir == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(dir, path)
}

// writeFileAtomic writes data to a temporary file next to path with mode
// 0600, then renames it into place, so a reader never sees half a file.
func writeFileAtomic(path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".caracal-bot-*.tmp")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			err = fmt.Errorf("writing %s: %w", path, err)
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Chmod(0o600); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
