package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/meshlint/meshlint/rules"
)

// progressDelay is how long a run goes before it shows a progress line:
// a run that answers within a second needs none, and a line that flashes
// by only distracts.
const progressDelay = time.Second

// progressLine shows on stderr, on one line that it rewrites and clears
// when the run ends, what a slow run is doing. It is for people at a
// terminal: it is never shown when stderr is not a terminal (piped, or
// redirected to a file), in CI (which sets CI=true: GitHub Actions,
// GitLab, CircleCI, Travis, Buildkite, Azure Pipelines' agents), on a dumb
// terminal, or with --no-progress.
type progressLine struct {
	w    io.Writer
	p    *rules.Progress
	stop chan struct{}
	done chan struct{}
}

// wantProgress reports whether a progress line may be shown in env for a
// run over paths. Not while someone types the input: with "-" read from a
// terminal, the line would rewrite, every tenth of a second, the line being
// typed on that same screen.
func wantProgress(env *Env, off bool, paths []string) bool {
	// CI=false (or 0) is how people say "not CI" to tools that check it.
	ci := env.Getenv("CI")
	if off || env.IsTerminal == nil || !env.IsTerminal(env.Stderr) ||
		ci != "" && ci != "false" && ci != "0" || env.Getenv("TERM") == "dumb" {
		return false
	}
	return !contains(paths, "-") || !stdinIsTerminal(env)
}

// stdinIsTerminal reports whether env's stdin is a terminal. IsTerminal
// takes a writer: stdin is one when it is a file, as a terminal's is.
func stdinIsTerminal(env *Env) bool {
	w, ok := env.Stdin.(io.Writer)
	return ok && env.IsTerminal(w)
}

// startProgress starts the line for p when env allows one: after delay
// (progressDelay when zero), then every tenth of a second. Stop ends it.
func startProgress(env *Env, p *rules.Progress, delay time.Duration) *progressLine {
	l := &progressLine{w: env.Stderr, p: p, stop: make(chan struct{}), done: make(chan struct{})}
	if delay == 0 {
		delay = progressDelay
	}
	go l.loop(delay)
	return l
}

func (l *progressLine) loop(delay time.Duration) {
	defer close(l.done)
	wait := time.NewTimer(delay)
	defer wait.Stop()
	select {
	case <-l.stop:
		return
	case <-wait.C:
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		// \r and "erase to the end of the line" (ESC [K) rewrite the line
		// in place; the report is written only once it is cleared.
		fmt.Fprintf(l.w, "\r\x1b[K%s", l.text())
		select {
		case <-l.stop:
			fmt.Fprint(l.w, "\r\x1b[K")
			return
		case <-tick.C:
		}
	}
}

// text says what the run does now.
func (l *progressLine) text() string {
	files := l.p.Files.Load()
	switch l.p.Stage.Load() {
	case rules.StageLoad:
		return fmt.Sprintf("meshlint: reading files: %d read", files)
	case rules.StageGraph:
		return fmt.Sprintf("meshlint: %d files read; building the graph", files)
	case rules.StageRules:
		return fmt.Sprintf("meshlint: %d files read; rules %d/%d done", files, l.p.RulesDone.Load(), l.p.Rules.Load())
	}
	return fmt.Sprintf("meshlint: %d files read; writing the report", files)
}

// Stop ends the line, cleared, before anything else is written to stderr
// or to a terminal's stdout. It may be called on nil.
func (l *progressLine) Stop() {
	if l == nil {
		return
	}
	close(l.stop)
	<-l.done
}
