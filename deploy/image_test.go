// Package deploy_test verifies the container image without Docker: the
// Dockerfile's final stage is a shell-less base run as a numeric non-root
// user, and the binary its build stage makes, built here with the very
// flags of its RUN line, is static and stamped with its version.
package deploy_test

import (
	"bufio"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stage is one FROM of the Dockerfile and the instructions under it.
type stage struct {
	base         string
	instructions [][2]string // keyword (upper case), rest of the line
}

// dockerfile reads ../Dockerfile's stages, continuation lines joined and
// comments left out.
func dockerfile(t *testing.T) []stage {
	t.Helper()
	f, err := os.Open("../Dockerfile")
	require.NoError(t, err)
	defer f.Close()
	var stages []stage
	var line string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if cont, ok := strings.CutSuffix(text, `\`); ok {
			line += cont + " "
			continue
		}
		keyword, rest, _ := strings.Cut(line+text, " ")
		line = ""
		keyword, rest = strings.ToUpper(keyword), strings.TrimSpace(rest)
		if keyword == "FROM" {
			stages = append(stages, stage{base: strings.Fields(rest)[0]})
			continue
		}
		require.NotEmpty(t, stages, "%s before FROM", keyword)
		stages[len(stages)-1].instructions = append(stages[len(stages)-1].instructions, [2]string{keyword, rest})
	}
	require.NoError(t, sc.Err())
	require.GreaterOrEqual(t, len(stages), 2, "a build stage and the final one")
	return stages
}

// finalStage returns the Dockerfile's last stage and the numeric user
// (uid, gid) it runs as; the test fails when USER is not numeric.
func finalStage(t *testing.T) (stage, uint32, uint32) {
	t.Helper()
	stages := dockerfile(t)
	final := stages[len(stages)-1]
	var user string
	for _, in := range final.instructions {
		if in[0] == "USER" {
			user = in[1]
		}
	}
	m := regexp.MustCompile(`^(\d+):(\d+)$`).FindStringSubmatch(user)
	require.NotNil(t, m, "USER is numeric, uid:gid, got %q", user)
	uid, err := strconv.ParseUint(m[1], 10, 32)
	require.NoError(t, err)
	gid, err := strconv.ParseUint(m[2], 10, 32)
	require.NoError(t, err)
	return final, uint32(uid), uint32(gid)
}

// TestImageFinalStageHasNoShellAndANumericNonRootUser: the final stage
// starts from a base without a shell, runs nothing (RUN needs a shell),
// starts the binary in exec form, and runs as a numeric user other than
// root, which Kubernetes' runAsNonRoot can verify.
func TestImageFinalStageHasNoShellAndANumericNonRootUser(t *testing.T) {
	final, uid, gid := finalStage(t)
	assert.Regexp(t, `^(scratch|gcr\.io/distroless/static(-debian\d+)?(:[\w.-]+)?(@sha256:[0-9a-f]{64})?)$`, final.base,
		"a base without a shell: distroless static or scratch")
	var entrypoint string
	for _, in := range final.instructions {
		switch in[0] {
		case "RUN", "SHELL":
			t.Errorf("the final stage runs %s %s, which needs a shell", in[0], in[1])
		case "ENTRYPOINT":
			entrypoint = in[1]
		}
	}
	assert.NotZero(t, uid, "USER is not root")
	assert.NotZero(t, gid, "the group is not root")
	assert.Equal(t, `["/usr/local/bin/caracal-bot"]`, entrypoint, "exec form: no shell starts it")
}

// TestImageBinaryIsStaticAndStamped builds the binary as the Dockerfile's
// RUN line does (its environment and flags, ${VERSION} filled in) and
// checks that it is statically linked, so it runs on a base without libc,
// and that it reports the version it was built with, also when run as the
// image's user (when this test may switch users, as root).
func TestImageBinaryIsStaticAndStamped(t *testing.T) {
	var run string
	for _, in := range dockerfile(t)[0].instructions {
		if in[0] == "RUN" && strings.Contains(in[1], "go build") {
			run = in[1]
		}
	}
	require.NotEmpty(t, run, "the build stage's go build")
	dir, err := os.MkdirTemp("", "caracal-bot-image-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755)) // the image's user runs it too
	bin := filepath.Join(dir, "caracal-bot")
	cmd := goBuild(t, strings.ReplaceAll(run, "${VERSION}", "v0.0.0-image-test"), bin)
	cmd.Dir = ".."
	output, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s\n%s", cmd, output)

	f, err := elf.Open(bin)
	require.NoError(t, err)
	defer f.Close()
	for _, p := range f.Progs {
		assert.NotEqual(t, elf.PT_INTERP, p.Type, "no dynamic loader")
	}
	libs, err := f.ImportedLibraries()
	require.NoError(t, err)
	assert.Empty(t, libs, "no shared library")

	version := exec.Command(bin, "version")
	if os.Geteuid() == 0 {
		_, uid, gid := finalStage(t)
		version.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid}}
	}
	got, err := version.Output()
	require.NoError(t, err)
	assert.Equal(t, "caracal-bot v0.0.0-image-test\n", string(got))
}

// goBuild turns a RUN line `ENV=... go build FLAGS -o PATH PKG` into that
// command, writing to out instead of PATH; the test fails on any other line.
func goBuild(t *testing.T, run, out string) *exec.Cmd {
	t.Helper()
	words := shellWords(run)
	var env []string
	for len(words) > 0 && strings.Contains(words[0], "=") {
		env, words = append(env, words[0]), words[1:]
	}
	assert.Contains(t, env, "CGO_ENABLED=0", "no cgo: a static binary")
	require.GreaterOrEqual(t, len(words), 2)
	require.Equal(t, []string{"go", "build"}, words[:2], "RUN %s", run)
	args := words[1:]
	for i := range args {
		if args[i] == "-o" && i+1 < len(args) {
			args[i+1] = out
		}
	}
	require.Contains(t, args, out, "RUN %s writes with -o", run)
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

// shellWords splits a RUN line into words as a shell would for the simple
// lines of a Dockerfile: blanks separate, double quotes group.
func shellWords(s string) []string {
	var words []string
	var word strings.Builder
	quoted, inWord := false, false
	for _, r := range s {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case !quoted && (r == ' ' || r == '\t'):
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, word.String())
	}
	return words
}
