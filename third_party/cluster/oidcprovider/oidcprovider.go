// Package oidcprovider starts a real OpenID Connect provider on 127.0.0.1 for tests: the
// oidc-provider binary that ../build.sh builds from ../../tools/oidc (zitadel/oidc's example
// provider, with in-memory storage and a username/password login page) serving one confidential
// web client. Login drives that page over plain HTTP, so a test can run the authorization-code
// flow end to end without a browser. Refresh tokens rotate at every redemption and a redeemed one
// is refused (invalid_grant, no grace), as issuers that forbid reuse do.
package oidcprovider

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/kruise-dashboard/kruise-dashboard/third_party/cluster/localcluster"
)

// User is an account the provider accepts on its login page. ID becomes the tokens' `sub`;
// Username is what the login form takes and what userinfo returns as `preferred_username`
// (scope profile); Email is returned as `email`, marked verified (scope email); Groups are the
// `groups` claim of the ID tokens and userinfo (changed by SetUsers, seen at the next refresh).
type User struct {
	ID, Username, Password, Email string
	Groups                        []string
}

// Provider is a running provider with one registered client.
type Provider struct {
	// Issuer is http://127.0.0.1:PORT/ (with the trailing slash, exactly as discovery and the
	// tokens' `iss` carry it).
	Issuer string
	// ClientID and ClientSecret are the registered web client's; the secret is random per Start.
	// The client authenticates with HTTP Basic (client_secret_basic) or form post.
	ClientID, ClientSecret string

	redirectURIs []*url.URL
	logPath      string
	usersFile    string
	cmd          *exec.Cmd
	exited       chan struct{} // closed once the process has been reaped
	stopOnce     sync.Once
}

// clientID is the id every started provider registers its client under.
const clientID = "kruise-dashboard"

// Start builds the provider once per process (build.sh caches it across processes), writes the
// users file, log and issuer file into dir, starts the provider on a free 127.0.0.1 port with
// redirectURIs registered for the client (matched exactly, including the port), and returns once
// discovery answers. ctx bounds the build and the start only; stop the provider with Stop.
func Start(ctx context.Context, dir string, users []User, redirectURIs []string) (*Provider, error) {
	if len(redirectURIs) == 0 {
		return nil, errors.New("oidcprovider: at least one redirect URI is required")
	}
	p := &Provider{ClientID: clientID, ClientSecret: randomHex(16), logPath: filepath.Join(dir, "oidc-provider.log"), exited: make(chan struct{})}
	for _, raw := range redirectURIs {
		u, err := url.Parse(raw)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("oidcprovider: redirect URI %q is not an absolute URL", raw)
		}
		p.redirectURIs = append(p.redirectURIs, u)
	}
	bin, err := binary(ctx)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("oidcprovider: create dir: %w", err)
	}
	usersFile := filepath.Join(dir, "oidc-users.json")
	if err := writeUsers(usersFile, users); err != nil {
		return nil, err
	}
	p.usersFile = usersFile
	issuerFile := filepath.Join(dir, "oidc-issuer")
	if err := os.Remove(issuerFile); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("oidcprovider: remove old issuer file: %w", err)
	}
	logFile, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("oidcprovider: open log: %w", err)
	}
	defer logFile.Close()

	// Port 0: the provider binds a free port itself and reports its issuer in issuerFile, so
	// parallel tests never race for a port picked in advance.
	p.cmd = exec.Command(bin, "-port=0", "-users="+usersFile, "-issuer-file="+issuerFile,
		"-redirect-uris="+strings.Join(redirectURIs, ","), "-client-id="+p.ClientID, "-client-secret="+p.ClientSecret)
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	// If the test binary dies without calling Stop (a timeout panic, SIGKILL), the kernel sends
	// the provider SIGTERM instead of leaving it running. (Tied to the forking OS thread, which
	// Go only retires for goroutines that exit while locked to it.)
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("oidcprovider: start %s: %w", bin, err)
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.exited)
	}()
	if err := p.waitReady(ctx, issuerFile, 30*time.Second); err != nil {
		p.Stop()
		return nil, err
	}
	return p, nil
}

// waitReady polls until the provider has written its issuer and discovery answers 200.
func (p *Provider) waitReady(ctx context.Context, issuerFile string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	last := errors.New("no issuer file yet")
	for {
		if p.Issuer == "" {
			if raw, err := os.ReadFile(issuerFile); err == nil {
				p.Issuer = strings.TrimSpace(string(raw))
			}
		}
		if p.Issuer != "" {
			last = getOK(ctx, client, p.Issuer+".well-known/openid-configuration")
			if last == nil {
				return nil
			}
		}
		select {
		case <-p.exited:
			return fmt.Errorf("oidcprovider: provider exited during start; log %s:\n%s", p.logPath, tail(p.logPath, 15))
		case <-ctx.Done():
			return fmt.Errorf("oidcprovider: provider not ready: %w (log %s)", last, p.logPath)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Stop terminates the provider (SIGTERM, then SIGKILL after 10s) and waits for it. Safe to call
// more than once.
func (p *Provider) Stop() {
	p.stopOnce.Do(func() {
		if p.cmd == nil || p.cmd.Process == nil {
			return
		}
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
			return
		case <-time.After(10 * time.Second):
		}
		_ = p.cmd.Process.Kill()
		<-p.exited
	})
}

// LogPath is the provider's log file, for a failing test to point at.
func (p *Provider) LogPath() string { return p.logPath }

// SetUsers replaces the provider's users while it runs: a user left out is disabled there (it
// refuses their refresh tokens with invalid_grant, as an issuer refuses a disabled account's), and
// changed groups are in the tokens the next refresh gives.
func (p *Provider) SetUsers(users []User) error {
	tmp := p.usersFile + ".new"
	if err := writeUsers(tmp, users); err != nil {
		return err
	}
	return os.Rename(tmp, p.usersFile)
}

var (
	formAction = regexp.MustCompile(`(?is)<form\b[^>]*\baction="([^"]*)"`)
	hiddenID   = regexp.MustCompile(`(?is)<input\b[^>]*\bname="id"[^>]*\bvalue="([^"]*)"`)
	loginError = regexp.MustCompile(`(?is)<p\b[^>]*color:\s*red[^>]*>(.*?)</p>`)
)

// Login signs username in on the provider's login page for authURL (the provider's
// authorization URL, or an application URL that redirects to it) as a browser would, but
// without one: it follows redirects, submits the login form and stops at the first redirect
// to one of the client's redirect URIs, returning that URL (with code and state) unrequested,
// so the caller decides how the callback is delivered.
//
// client supplies the transport and may carry cookies the application set before redirecting
// to the provider; it is copied, not modified. Without a Jar, Login uses a private one.
// A rejected password is an error carrying the login page's message.
func (p *Provider) Login(client *http.Client, authURL, username, password string) (*url.URL, error) {
	c := http.Client{}
	if client != nil {
		c = *client
	}
	if c.Jar == nil {
		c.Jar, _ = cookiejar.New(nil)
	}
	if c.Timeout == 0 {
		c.Timeout = 30 * time.Second
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if p.isRedirectURI(req.URL) {
			return http.ErrUseLastResponse
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}

	resp, body, err := fetch(c.Get(authURL))
	if err != nil {
		return nil, fmt.Errorf("oidcprovider: open %s: %w", authURL, err)
	}
	if u, err := p.callback(resp); u != nil || err != nil {
		return u, err // e.g. the provider answered an invalid request with an error redirect
	}
	page := resp.Request.URL
	action, id := formAction.FindSubmatch(body), hiddenID.FindSubmatch(body)
	if resp.StatusCode != http.StatusOK || action == nil || id == nil {
		return nil, fmt.Errorf("oidcprovider: no login form at %s (%s): %s", page, resp.Status, snippet(body))
	}
	target, err := page.Parse(html.UnescapeString(string(action[1])))
	if err != nil {
		return nil, fmt.Errorf("oidcprovider: login form action: %w", err)
	}
	form := url.Values{"id": {html.UnescapeString(string(id[1]))}, "username": {username}, "password": {password}}
	resp, body, err = fetch(c.PostForm(target.String(), form))
	if err != nil {
		return nil, fmt.Errorf("oidcprovider: submit login form: %w", err)
	}
	if u, err := p.callback(resp); u != nil || err != nil {
		return u, err
	}
	if m := loginError.FindSubmatch(body); m != nil && len(bytes.TrimSpace(m[1])) > 0 {
		return nil, fmt.Errorf("oidcprovider: login as %q rejected: %s", username, html.UnescapeString(string(bytes.TrimSpace(m[1]))))
	}
	return nil, fmt.Errorf("oidcprovider: login as %q ended at %s (%s) instead of a redirect URI: %s", username, resp.Request.URL, resp.Status, snippet(body))
}

// callback returns the redirect URI resp redirects to, or nil if it does not. An error
// redirect (error=… instead of code=…) becomes an error.
func (p *Provider) callback(resp *http.Response) (*url.URL, error) {
	if resp.StatusCode < 300 || resp.StatusCode > 399 {
		return nil, nil
	}
	u, err := resp.Location()
	if err != nil || !p.isRedirectURI(u) {
		return nil, nil
	}
	q := u.Query()
	if q.Get("code") == "" {
		return nil, fmt.Errorf("oidcprovider: provider redirected without a code: error=%q %q", q.Get("error"), q.Get("error_description"))
	}
	return u, nil
}

// isRedirectURI matches scheme, host and path, ignoring the query the provider appends.
func (p *Provider) isRedirectURI(u *url.URL) bool {
	for _, r := range p.redirectURIs {
		if strings.EqualFold(u.Scheme, r.Scheme) && strings.EqualFold(u.Host, r.Host) && u.Path == r.Path {
			return true
		}
	}
	return false
}

// fetch reads and closes the body (at most 1 MiB, plenty for the login page).
func fetch(resp *http.Response, err error) (*http.Response, []byte, error) {
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp, body, err
}

func snippet(body []byte) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// fileUser is one entry of the users file, in the shape the provider's storage.StoreFromFile
// decodes (a JSON object keyed by user ID).
type fileUser struct {
	ID, Username, Password, Email string
	EmailVerified                 bool
	Groups                        []string `json:",omitempty"`
}

func writeUsers(path string, users []User) error {
	byID := map[string]fileUser{}
	names := map[string]bool{}
	for _, u := range users {
		// The provider keys users by ID and finds them by username: duplicates would silently
		// shadow each other.
		if u.ID == "" || u.Username == "" {
			return fmt.Errorf("oidcprovider: user %+v needs an ID and a Username", u)
		}
		if _, dup := byID[u.ID]; dup || names[u.Username] {
			return fmt.Errorf("oidcprovider: duplicate user ID %q or username %q", u.ID, u.Username)
		}
		names[u.Username] = true
		byID[u.ID] = fileUser{ID: u.ID, Username: u.Username, Password: u.Password, Email: u.Email, EmailVerified: u.Email != "", Groups: u.Groups}
	}
	raw, err := json.MarshalIndent(byID, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		return fmt.Errorf("oidcprovider: write users: %w", err)
	}
	return nil
}

// binary is the provider's binary, built by build.sh once per process.
func binary(ctx context.Context) (string, error) {
	p, err := localcluster.Tool(ctx, "oidc", "oidc-provider", "OIDC_VERSION")
	if err != nil {
		return "", fmt.Errorf("oidcprovider: %w", err)
	}
	return p, nil
}

func getOK(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", url, resp.Status)
	}
	return nil
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

func randomHex(n int) string {
	buf := make([]byte, n)
	_, _ = rand.Read(buf)
	return hex.EncodeToString(buf)
}
