package main

import "runtime/debug"

// version is the release, set at build time with -ldflags
// "-X main.version=v1.2.3" (make build and the Dockerfile do).
var version string

// botVersion is the one version the binary reports: `version`, the
// User-Agent of its requests, bundle manifests. It is the release set at
// build time, else what the build recorded: the module version ("dev" for
// a local build) with the VCS revision and whether the tree was modified,
// e.g. dev+1a8c3f5e4b2c-dirty.
func botVersion() string {
	if version != "" {
		return version
	}
	v := "dev"
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if m := info.Main.Version; m != "" && m != "(devel)" {
		v = m
	}
	for _, s := range info.Settings {
		switch {
		case s.Key == "vcs.revision" && len(s.Value) >= 12:
			v += "+" + s.Value[:12]
		case s.Key == "vcs.modified" && s.Value == "true":
			v += "-dirty"
		}
	}
	return v
}
