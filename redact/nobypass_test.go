package redact_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// egressRule forbids one way of emitting bytes that would not pass
// through the scrubber's sinks; allowed lists the files that build the
// sinks themselves.
type egressRule struct {
	pkg, name string // a selector: http.DefaultClient, os.Stdout, ...
	why       string
	allowed   []string // slash paths from the module root
}

var egressRules = []egressRule{
	{"http", "DefaultClient", "a client that follows redirects with credentials and scrubs nothing; use egress.New", nil},
	{"http", "Get", "uses http.DefaultClient; use an egress client", nil},
	{"http", "Post", "uses http.DefaultClient; use an egress client", nil},
	{"http", "PostForm", "uses http.DefaultClient; use an egress client", nil},
	{"http", "Head", "uses http.DefaultClient; use an egress client", nil},
	{"os", "Stdout", "only main may hold the process's streams; run wraps them in the scrubber", []string{"cmd/caracal-bot/main.go"}},
	{"os", "Stderr", "only main may hold the process's streams; run wraps them in the scrubber", []string{"cmd/caracal-bot/main.go"}},
	{"slog", "Default", "the default logger bypasses redact.NewHandler; take a *slog.Logger", nil},
	{"slog", "SetDefault", "the default logger bypasses redact.NewHandler; take a *slog.Logger", nil},
	{"log", "Print", "the standard logger bypasses redact.NewHandler", nil},
	{"log", "Printf", "the standard logger bypasses redact.NewHandler", nil},
	{"log", "Println", "the standard logger bypasses redact.NewHandler", nil},
	{"log", "Fatal", "the standard logger bypasses redact.NewHandler", nil},
	{"log", "Fatalf", "the standard logger bypasses redact.NewHandler", nil},
	{"fmt", "Print", "writes to the unscrubbed stdout; write to the streams you are given", nil},
	{"fmt", "Printf", "writes to the unscrubbed stdout; write to the streams you are given", nil},
	{"fmt", "Println", "writes to the unscrubbed stdout; write to the streams you are given", nil},
}

// TestNothingBypassesTheScrubber: production code reaches the outside world
// only through the sinks main builds on the scrubber (egress clients, the
// wrapped streams, the scrubbing log handler). It may not build an HTTP
// client of its own, use the default one, print to the process's streams
// or log through the standard loggers. Test-support packages (fakes,
// simulators) and the benchmarks are exempt: they are not the bot.
func TestNothingBypassesTheScrubber(t *testing.T) {
	root := moduleRoot(t)
	fset := token.NewFileSet()
	var violations []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(path, root+string(filepath.Separator)))
		if d.IsDir() {
			if exemptDir(rel) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		imports := importNames(file)
		ast.Inspect(file, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.SelectorExpr:
				if v := check(rel, imports, x); v != "" {
					violations = append(violations, fset.Position(x.Pos()).String()+": "+v)
				}
			case *ast.CompositeLit:
				if sel, ok := x.Type.(*ast.SelectorExpr); ok && isSelector(imports, sel, "http", "Client") && rel != "egress/egress.go" {
					violations = append(violations, fset.Position(x.Pos()).String()+
						": http.Client{} builds a client that follows redirects with credentials; use egress.New or egress.Client")
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range violations {
		t.Error(v)
	}
}

func check(rel string, imports map[string]string, sel *ast.SelectorExpr) string {
	for _, r := range egressRules {
		if !isSelector(imports, sel, r.pkg, r.name) {
			continue
		}
		for _, a := range r.allowed {
			if rel == a {
				return ""
			}
		}
		return r.pkg + "." + r.name + ": " + r.why
	}
	return ""
}

// isSelector reports whether sel is pkg.name, pkg being the standard
// package imported under whatever local name.
func isSelector(imports map[string]string, sel *ast.SelectorExpr, pkg, name string) bool {
	id, ok := sel.X.(*ast.Ident)
	return ok && sel.Sel.Name == name && imports[id.Name] == pkg
}

// importNames maps each local import name of the standard packages the
// rules name to that package (net/http imported as h maps h to http).
func importNames(f *ast.File) map[string]string {
	std := map[string]string{"net/http": "http", "os": "os", "log/slog": "slog", "log": "log", "fmt": "fmt"}
	out := map[string]string{}
	for _, imp := range f.Imports {
		p := strings.Trim(imp.Path.Value, `"`)
		short, ok := std[p]
		if !ok {
			continue
		}
		local := short
		if imp.Name != nil {
			local = imp.Name.Name
		}
		out[local] = short
	}
	return out
}

// exemptDir reports the directories that are not the bot: test support,
// benchmarks, VCS data.
func exemptDir(rel string) bool {
	base := filepath.Base(rel)
	return strings.HasPrefix(base, ".") || rel == "bench" || strings.HasPrefix(rel, "bench/") ||
		strings.HasSuffix(base, "test") || strings.HasSuffix(base, "fake") || base == "testdata" || rel == "internal/golden"
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}
