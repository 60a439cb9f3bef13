package localcluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// process is one control-plane component, run in its own session so it outlives `make cluster-up`
// and is stopped by the PID it recorded.
type process struct {
	name string
	bin  string
	args []string
	env  []string // added to the environment
	dir  string
	// workDir is the working directory (default: the caller's).
	workDir string
	cmd     *exec.Cmd
}

func (p *process) logPath() string { return filepath.Join(p.dir, p.name+".log") }
func (p *process) pidPath() string { return filepath.Join(p.dir, p.name+".pid") }

func (p *process) start() error {
	logFile, err := os.OpenFile(p.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open log of %s: %w", p.name, err)
	}
	defer logFile.Close()
	cmd := exec.Command(p.bin, p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Dir = p.workDir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", p.name, err)
	}
	p.cmd = cmd
	// Reap the child when it exits so it never lingers as a zombie while we still run.
	go func() { _ = cmd.Wait() }()
	return os.WriteFile(p.pidPath(), []byte(strconv.Itoa(cmd.Process.Pid)), 0o600)
}

// exited reports whether the process has died, with the tail of its log for the error message.
func (p *process) exited() error {
	if p.cmd == nil || p.cmd.Process == nil {
		return nil
	}
	if err := p.cmd.Process.Signal(syscall.Signal(0)); err == nil {
		return nil
	}
	return fmt.Errorf("%s exited; log %s:\n%s", p.name, p.logPath(), tail(p.logPath(), 15))
}

// stopPID stops the process recorded in dir/name.pid: SIGTERM, then SIGKILL after grace.
func stopPID(dir, name string, grace time.Duration) error {
	raw, err := os.ReadFile(filepath.Join(dir, name+".pid"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read pid of %s: %w", name, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		return fmt.Errorf("pid file of %s: %w", name, err)
	}
	defer os.Remove(filepath.Join(dir, name+".pid"))
	if syscall.Kill(pid, syscall.SIGTERM) != nil {
		return nil // already gone
	}
	if waitGone(pid, grace) {
		return nil
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	if !waitGone(pid, 10*time.Second) {
		return fmt.Errorf("%s (pid %d) survived SIGKILL", name, pid)
	}
	return nil
}

// gone reports whether pid has exited.
func gone(pid int) bool { return syscall.Kill(pid, 0) != nil || isZombie(pid) }

// waitGone waits up to timeout for pid to exit.
func waitGone(pid int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		if gone(pid) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// isZombie is true for a process that exited but was not reaped yet (our own child, before Wait).
func isZombie(pid int) bool {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	fields := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+1:]))
	return len(fields) > 0 && fields[0] == "Z"
}

func tail(path string, lines int) string {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	all := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

// freePort asks the kernel for an unused loopback port; the defaults may be taken on a shared machine.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitFor polls check until it succeeds, the process dies, or the timeout passes.
func waitFor(ctx context.Context, what string, timeout time.Duration, p *process, check func() error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last error
	for {
		if last = check(); last == nil {
			return nil
		}
		if err := p.exited(); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waited %s for %s: %w (log %s)", timeout, what, last, p.logPath())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
