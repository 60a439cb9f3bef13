// Command oidc-provider runs zitadel/oidc's example OpenID Connect provider (in-memory storage and
// a username/password login page) with one confidential web client and the users of a JSON file,
// so tests can log in through a real provider. It listens on 127.0.0.1 only: it is a test
// fixture with plain-text passwords and must never be reachable from another host.
//
// Every setting is a flag, or else an environment variable:
//
//	-port           OIDC_PORT           port on 127.0.0.1; 0 picks a free one (default 0)
//	-users          OIDC_USERS_FILE     users as storage.StoreFromFile reads them: {"id": {"ID": …, "Username": …, "Password": …}},
//	                                    plus "Groups": […], issued as the `groups` claim (ID token and userinfo);
//	                                    read again when it changes: a user removed from it is disabled
//	                                    (refresh tokens are refused with invalid_grant, as real issuers do)
//	                                    and changed groups show in the next tokens issued
//	-redirect-uris  OIDC_REDIRECT_URIS  the client's redirect URIs, comma separated; matched exactly
//	-client-id      OIDC_CLIENT_ID      (default "kruise-dashboard")
//	-client-secret  OIDC_CLIENT_SECRET  (required)
//	-issuer-file    OIDC_ISSUER_FILE    once listening, the issuer URL is written here, so a caller
//	                                    that passed port 0 learns the port without racing for it
//
// Refresh tokens rotate at every redemption and a redeemed one is refused (the example storage's
// renewRefreshToken deletes it: invalid_grant), as issuers that forbid reuse do, with no grace.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

type config struct {
	port         int
	usersFile    string
	redirectURIs []string
	clientID     string
	clientSecret string
	issuerFile   string
}

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg, err := parseConfig(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "oidc-provider:", err)
		os.Exit(2)
	}
	if err := run(cfg, logger); err != nil {
		logger.Error("oidc-provider failed", "error", err)
		os.Exit(1)
	}
}

func parseConfig(args []string) (config, error) {
	fs := flag.NewFlagSet("oidc-provider", flag.ContinueOnError)
	port := fs.Int("port", envInt("OIDC_PORT", 0), "port on 127.0.0.1 (0: any free port)")
	users := fs.String("users", os.Getenv("OIDC_USERS_FILE"), "users JSON file (storage.StoreFromFile format)")
	redirects := fs.String("redirect-uris", os.Getenv("OIDC_REDIRECT_URIS"), "comma-separated redirect URIs of the client")
	clientID := fs.String("client-id", envOr("OIDC_CLIENT_ID", "kruise-dashboard"), "client id")
	secret := fs.String("client-secret", os.Getenv("OIDC_CLIENT_SECRET"), "client secret")
	issuerFile := fs.String("issuer-file", os.Getenv("OIDC_ISSUER_FILE"), "file to write the issuer URL to once listening")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	cfg := config{port: *port, usersFile: *users, clientID: *clientID, clientSecret: *secret, issuerFile: *issuerFile}
	for _, uri := range strings.Split(*redirects, ",") {
		if uri = strings.TrimSpace(uri); uri != "" {
			cfg.redirectURIs = append(cfg.redirectURIs, uri)
		}
	}
	switch {
	case cfg.usersFile == "":
		return cfg, errors.New("-users is required")
	case len(cfg.redirectURIs) == 0:
		// storage.WebClient would silently fall back to its own example URI.
		return cfg, errors.New("-redirect-uris is required")
	case cfg.clientID == "" || cfg.clientSecret == "":
		return cfg, errors.New("-client-id and -client-secret are required")
	case cfg.port < 0 || cfg.port > 65535:
		return cfg, fmt.Errorf("-port %d out of range", cfg.port)
	}
	return cfg, nil
}

func run(cfg config, logger *slog.Logger) error {
	users := &fileUsers{path: cfg.usersFile}
	if _, err := users.current(); err != nil {
		return fmt.Errorf("read users: %w", err)
	}
	// Listen before building the provider: with port 0 the issuer is only known afterwards.
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.port)))
	if err != nil {
		return err
	}
	issuer := fmt.Sprintf("http://127.0.0.1:%d/", ln.Addr().(*net.TCPAddr).Port)

	// The example storage keeps clients in a package-level map that NewStorage reads.
	storage.RegisterClients(storage.WebClient(cfg.clientID, cfg.clientSecret, cfg.redirectURIs...))
	handler := exampleop.SetupServer(issuer, checkedStorage{storage.NewStorage(users), users}, logger, false)
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if cfg.issuerFile != "" {
		if err := writeAtomic(cfg.issuerFile, issuer); err != nil {
			_ = srv.Close()
			return err
		}
	}
	logger.Info("oidc provider listening", "issuer", issuer, "client_id", cfg.clientID, "redirect_uris", cfg.redirectURIs)

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// fileUsers is the users file, read again whenever its modification time changes.
type fileUsers struct {
	path   string
	mu     sync.Mutex
	mod    time.Time
	store  storage.UserStore
	groups map[string][]string // user ID -> groups (storage.User has none)
}

func (f *fileUsers) current() (storage.UserStore, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	info, err := os.Stat(f.path)
	if err != nil {
		return nil, err
	}
	if f.store == nil || !info.ModTime().Equal(f.mod) {
		store, err := storage.StoreFromFile(f.path)
		if err != nil {
			return nil, err
		}
		raw, err := os.ReadFile(f.path)
		if err != nil {
			return nil, err
		}
		var withGroups map[string]struct{ Groups []string }
		if err := json.Unmarshal(raw, &withGroups); err != nil {
			return nil, err
		}
		f.groups = map[string][]string{}
		for id, u := range withGroups {
			f.groups[id] = u.Groups
		}
		f.store, f.mod = store, info.ModTime()
	}
	return f.store, nil
}

func (f *fileUsers) GetUserByID(id string) *storage.User {
	s, err := f.current()
	if err != nil {
		return nil
	}
	return s.GetUserByID(id)
}

func (f *fileUsers) GetUserByUsername(name string) *storage.User {
	s, err := f.current()
	if err != nil {
		return nil
	}
	return s.GetUserByUsername(name)
}

func (f *fileUsers) ExampleClientID() string { return "" }

// groupsOf is the user's groups now (nil for a user without any or no longer in the file).
func (f *fileUsers) groupsOf(id string) []string {
	if _, err := f.current(); err != nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.groups[id]
}

// checkedStorage refuses a refresh token whose user is no longer in the users file.
type checkedStorage struct {
	*storage.Storage
	users *fileUsers
}

func (s checkedStorage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	req, err := s.Storage.TokenRequestByRefreshToken(ctx, token)
	if err != nil {
		return nil, err
	}
	if s.users.GetUserByID(req.GetSubject()) == nil {
		return nil, oidc.ErrInvalidGrant().WithDescription("the user is disabled")
	}
	return req, nil
}

// SetUserinfoFromRequest adds the user's groups to the ID token's claims (at sign-in and at
// every refresh, so a changed membership shows in the next refresh).
func (s checkedStorage) SetUserinfoFromRequest(ctx context.Context, userinfo *oidc.UserInfo, token op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, userinfo, token, scopes); err != nil {
		return err
	}
	s.addGroups(userinfo, token.GetSubject())
	return nil
}

// SetUserinfoFromToken adds the user's groups to the userinfo endpoint's answer.
func (s checkedStorage) SetUserinfoFromToken(ctx context.Context, userinfo *oidc.UserInfo, tokenID, subject, origin string) error {
	if err := s.Storage.SetUserinfoFromToken(ctx, userinfo, tokenID, subject, origin); err != nil {
		return err
	}
	s.addGroups(userinfo, userinfo.Subject)
	return nil
}

func (s checkedStorage) addGroups(userinfo *oidc.UserInfo, subject string) {
	if groups := s.users.groupsOf(subject); len(groups) > 0 {
		userinfo.AppendClaims("groups", groups)
	}
}

// writeAtomic renames into place so a poller never reads a half-written issuer.
func writeAtomic(path, content string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".issuer-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(content); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}

func envInt(key string, def int) int {
	n, err := strconv.Atoi(os.Getenv(key))
	if err != nil {
		return def
	}
	return n
}
