package cli

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meshlint/meshlint/rules"
)

// TestWantProgress checks when the progress line may show: on a terminal,
// outside CI, not on a dumb terminal, not with --no-progress.
func TestWantProgress(t *testing.T) {
	for _, tc := range []struct {
		name     string
		terminal bool
		vars     map[string]string
		off      bool
		want     bool
	}{
		{"terminal", true, nil, false, true},
		{"piped", false, nil, false, false},
		{"CI", true, map[string]string{"CI": "true"}, false, false},
		{"CI=1", true, map[string]string{"CI": "1"}, false, false},
		{"CI=false", true, map[string]string{"CI": "false"}, false, true},
		{"dumb", true, map[string]string{"TERM": "dumb"}, false, false},
		{"--no-progress", true, nil, true, false},
	} {
		env := &Env{
			Stderr:     io.Discard,
			Getenv:     func(k string) string { return tc.vars[k] },
			IsTerminal: func(io.Writer) bool { return tc.terminal },
		}
		if got := wantProgress(env, tc.off, []string{"."}); got != tc.want {
			t.Errorf("%s: wantProgress = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// terminalIn is a terminal's stdin as the command sees it: a file, which
// is a writer too.
type terminalIn struct{ io.Reader }

func (terminalIn) Write(p []byte) (int, error) { return len(p), nil }

// TestProgressNotWhileTyping checks that the line is not shown while the
// input is typed at the terminal (`meshlint -` with stdin a terminal),
// where it would wipe the line being typed, and is when stdin is a pipe
// or is not read.
func TestProgressNotWhileTyping(t *testing.T) {
	tty := terminalIn{strings.NewReader("")}
	for _, tc := range []struct {
		name  string
		stdin io.Reader
		paths []string
		want  bool
	}{
		{"typed", tty, []string{"-"}, false},
		{"typed, with a folder", tty, []string{".", "-"}, false},
		{"stdin not read", tty, []string{"."}, true},
		{"piped", strings.NewReader(""), []string{"-"}, true},
	} {
		env := &Env{
			Stdin: tc.stdin, Stderr: io.Discard,
			Getenv:     func(string) string { return "" },
			IsTerminal: func(w io.Writer) bool { _, ok := w.(terminalIn); return ok || w == io.Discard },
		}
		if got := wantProgress(env, false, tc.paths); got != tc.want {
			t.Errorf("%s: wantProgress = %v, want %v", tc.name, got, tc.want)
		}
	}
	// The whole command, with the line due at once and the input typed
	// slowly: stderr gets no line.
	var out, errb syncBuffer
	in := terminalIn{&slowReader{r: strings.NewReader("apiVersion: v1\nkind: Service\nmetadata: {name: a}\n")}}
	env := &Env{
		Stdin: in, Stdout: &out, Stderr: &errb,
		Getenv: func(string) string { return "" }, Dir: t.TempDir(),
		IsTerminal: func(w io.Writer) bool {
			_, ok := w.(terminalIn)
			return ok || w == io.Writer(&errb)
		},
		ProgressDelay: time.Nanosecond,
	}
	if code := Run([]string{"--no-config", "-"}, env); code != ExitClean {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
	if got := errb.String(); strings.Contains(got, "meshlint: reading files") {
		t.Errorf("progress line shown while the input is typed: %q", got)
	}
}

// slowReader is someone typing: its first read comes after a while.
type slowReader struct {
	r    io.Reader
	once sync.Once
}

func (s *slowReader) Read(p []byte) (int, error) {
	s.once.Do(func() { time.Sleep(300 * time.Millisecond) })
	return s.r.Read(p)
}

// syncBuffer is a bytes.Buffer that the progress goroutine and the test
// may use at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestProgressLine checks that the line says what the run does, rewrites
// itself in place, and is cleared when the run ends.
func TestProgressLine(t *testing.T) {
	var out syncBuffer
	p := &rules.Progress{}
	p.Files.Store(12)
	p.Stage.Store(rules.StageRules)
	p.Rules.Store(130)
	p.RulesDone.Store(7)
	l := startProgress(&Env{Stderr: &out}, p, time.Nanosecond)
	// Wait for the first line (an event, not a speed target).
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), "rules 7/130"); {
		if time.Now().After(deadline) {
			t.Fatalf("no progress line after 10 s: %q", out.String())
		}
		time.Sleep(time.Millisecond)
	}
	l.Stop()
	got := out.String()
	if want := "\r\x1b[Kmeshlint: 12 files read; rules 7/130 done"; !strings.HasPrefix(got, want) {
		t.Errorf("line = %q, want it to start with %q", got, want)
	}
	if !strings.HasSuffix(got, "\r\x1b[K") {
		t.Errorf("line not cleared at the end: %q", got)
	}
	if strings.Contains(got, "\n") {
		t.Errorf("the line must rewrite itself, not add lines: %q", got)
	}
	// Stop on a run that never showed the line writes nothing.
	var quiet syncBuffer
	startProgress(&Env{Stderr: &quiet}, p, time.Hour).Stop()
	if quiet.String() != "" {
		t.Errorf("a line stopped before its delay wrote %q", quiet.String())
	}
	var none *progressLine
	none.Stop()
}

// TestProgressRun runs the command as at a terminal, with the line shown
// at once: the report on stdout is the same as without it, and stderr
// holds nothing but the cleared line.
func TestProgressRun(t *testing.T) {
	dir := testdata(t)
	plain := run(t, dir, "", "--format", "json", "broken")
	var out, errb syncBuffer
	env := &Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(string) string { return "" }, Dir: dir,
		IsTerminal:    func(w io.Writer) bool { return w == io.Writer(&errb) },
		ProgressDelay: time.Nanosecond,
	}
	code := Run([]string{"--format", "json", "broken"}, env)
	if code != plain.code || out.String() != plain.stdout {
		t.Errorf("with the progress line: exit %d and stdout differ from exit %d", code, plain.code)
	}
	// Each segment before the last clear is a state of the line; what
	// follows it is what the run says anyway.
	segs := strings.Split(errb.String(), "\r\x1b[K")
	for _, s := range segs[:len(segs)-1] {
		if s != "" && (!strings.HasPrefix(s, "meshlint: ") || strings.Contains(s, "\n")) {
			t.Errorf("not a progress line: %q", s)
		}
	}
	if last := segs[len(segs)-1]; last != plain.stderr {
		t.Errorf("stderr after the line = %q, want %q", last, plain.stderr)
	}
}
