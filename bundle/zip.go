package bundle

import (
	"archive/zip"
	"bytes"
	"fmt"
	"strings"
	"time"
)

// zipFile is one entry of the zip.
type zipFile struct {
	name string
	data []byte
}

// writeZip writes files in the given order, each with the same modification
// time and mode, so the same files always give the same bytes.
func writeZip(files []zipFile, modified time.Time) ([]byte, error) {
	// 1980 is the earliest time an MS-DOS zip timestamp can hold.
	modified = modified.UTC().Truncate(time.Second)
	if epoch := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC); modified.Before(epoch) {
		modified = epoch
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: modified}
		h.SetMode(0o644)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, fmt.Errorf("bundle: zip %s: %w", f.name, err)
		}
		if _, err := w.Write(f.data); err != nil {
			return nil, fmt.Errorf("bundle: zip %s: %w", f.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("bundle: zip: %w", err)
	}
	return buf.Bytes(), nil
}

// maxNamePart caps the zone and the request ID in a bundle's file name.
const maxNamePart = 64

// Name is the bundle's file name, caracal-bundle-<zone>-<request-id>.zip
// (caracal-bundle-<request-id>.zip without a zone), each part reduced to
// letters, digits, '.', '_' and '-' (others become '_'), at most 64 bytes,
// with no leading dot, so it is safe as a path component on any platform
// and in any chat upload.
func Name(zone, requestID string) string {
	parts := []string{"caracal-bundle"}
	for _, p := range []string{zone, requestID} {
		if p = namePart(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "-") + ".zip"
}

func namePart(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= maxNamePart {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == '.' && b.Len() > 0:
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return strings.Trim(b.String(), "._")
}
