package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"github.com/kruise-dashboard/kruise-dashboard/app/service"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
)

// A session is a sealed cookie that also carries the credential it was started with, so the
// credential can be checked again: every recheck interval (per replica) the token is reviewed
// again or the OIDC refresh token redeemed, and a credential the API server or the issuer no
// longer accepts ends the session. Sign-out records the session's id where every replica reads
// it (SignOuts), so a copy of the cookie taken before sign-out is refused too.
type session struct {
	ID     string   `json:"id"`
	User   string   `json:"u"`
	Groups []string `json:"g"`
	Issued int64    `json:"iat"`
	// Token is the bearer token a token-mode session started with (reviewed again).
	Token string `json:"t,omitempty"`
	// Refresh is the OIDC refresh token (redeemed again; rotated when the issuer rotates it), and
	// IDToken the last ID token, sent as the hint when the session ends at the issuer.
	Refresh string `json:"r,omitempty"`
	IDToken string `json:"h,omitempty"`
}

// SignOuts records ended sessions where every replica reads them (data.SignOuts: a ConfigMap).
type SignOuts interface {
	End(ctx context.Context, id string, issued, expires time.Time) error
	Ended(id string, issued time.Time) (bool, error)
}

// checked is a session whose credential was checked within the recheck interval: who it is now
// (an OIDC refresh may change the groups) and the cookie to hand back when it was renewed.
type checked struct {
	user   *biz.User
	cookie string
}

// maxCookie keeps a session cookie within what every browser stores (4096 bytes with its name
// and attributes); a longer one drops the ID token hint.
const maxCookie = 3800

// accessEnded is the answer once the credential behind a session is no longer accepted.
func accessEnded(why error) *biz.Error {
	return biz.Unauthorized("your access ended: sign in again (%v)", why)
}

// startSession seals s into the session cookie, valid until expires.
func (a *Authenticator) startSession(in service.Input, s session, expires time.Time) error {
	s.ID, s.Issued = randomHex(), a.now().Unix()
	value, err := a.sealSession(s, expires)
	if err != nil {
		return biz.Internal(err, "seal session: %v", err)
	}
	setCookie(in, cookie(in.Request, sessionCookie, "/", value, expires))
	return nil
}

func (a *Authenticator) sealSession(s session, expires time.Time) (string, error) {
	value, err := seal(a.sessions, sessionPurpose, s, expires)
	if err == nil && len(value) > maxCookie && s.IDToken != "" {
		s.IDToken = ""
		value, err = seal(a.sessions, sessionPurpose, s, expires)
	}
	return value, err
}

// fromSession is who the session cookie's value acts for: refused once signed out, and checked
// again when the last check of its credential is older than the recheck interval. A renewed
// cookie (a rotated refresh token, here or earlier on this replica) is set on w.
func (a *Authenticator) fromSession(w http.ResponseWriter, r *http.Request, value string) (*biz.User, *biz.Error) {
	s, expires, err := unsealExpiry[session](a.sessions, sessionPurpose, value, a.now())
	if err != nil {
		return nil, biz.Unauthorized("your session is %v: sign in again", err)
	}
	if s.ID == "" {
		return nil, biz.Unauthorized("your session is from an older version of the dashboard: sign in again")
	}
	ended, err := a.signOuts.Ended(s.ID, time.Unix(s.Issued, 0))
	if err != nil {
		return nil, asAPIError(err)
	}
	if ended {
		return nil, biz.Unauthorized("this session was signed out: sign in again")
	}
	current := value
	var c *checked
	// Twice at most: a rotation may finish between looking up the successor and checking.
	for range 2 {
		current, s, expires = a.newest(current, s, expires)
		if c, err = a.check(r.Context(), s, expires); !errors.Is(err, errRotated) {
			break
		}
	}
	if err != nil {
		return nil, asAPIError(err)
	}
	if c.cookie != "" {
		current = c.cookie
	}
	if current != value {
		w.Header().Add("Set-Cookie", cookie(r, sessionCookie, "/", current, expires).String())
	}
	if s.Token != "" {
		return c.user.WithToken(s.Token), nil
	}
	return c.user, nil
}

// Refresh-token rotation across replicas. An issuer that rotates refresh tokens and refuses a
// redeemed one ends the session of whoever redeems an old token again. Every replica checks on
// its own, and the browser keeps the last cookie it was handed, so each replica remembers (in
// memory, until the session expires) which refresh tokens it has itself rotated and the newest
// cookie of the session it knows: a request presenting an already-rotated refresh token is
// served as that newest session, and the browser handed its cookie, instead of redeeming the old
// token again. Checks are cached by credential, so a cached check never hands back a cookie older
// than the one presented.
//
// What stays impossible without state shared by the replicas: a replica that never saw a
// rotation cannot know a token is old. Two replicas redeeming the same refresh token at the same
// moment (concurrent requests of one browser, landing on both), or an in-flight request carrying
// a cookie older than one another replica has already rotated, rely on the issuer's reuse grace
// (most rotating issuers accept a just-rotated token for a few seconds); an issuer without one
// refuses the second redemption and the session ends. Evicted memory (more sessions than the
// caches hold) has the same effect for cookies that old.

// errRotated tells that the session's refresh token was rotated on this replica while a check
// waited: look up its successor again.
var errRotated = errors.New("refresh token rotated")

// credentialKey names a session's credential: its id and a hash of the refresh token or token
// (never the credential itself).
func credentialKey(s session) string {
	credential := s.Refresh
	if credential == "" {
		credential = s.Token
	}
	sum := sha256.Sum256([]byte(credential))
	return s.ID + ":" + hex.EncodeToString(sum[:])
}

// newest is the newest cookie of the session known on this replica when value's refresh token was
// already rotated here, else value itself.
func (a *Authenticator) newest(value string, s session, expires time.Time) (string, session, time.Time) {
	if !a.rotatedHere(s) {
		return value, s, expires
	}
	latest, ok := a.latest.Get(s.ID)
	if !ok {
		return value, s, expires
	}
	next, nextExpires, err := unsealExpiry[session](a.sessions, sessionPurpose, latest.(string), a.now())
	if err != nil || next.ID != s.ID {
		return value, s, expires
	}
	return latest.(string), next, nextExpires
}

// rotatedHere tells whether s's refresh token was rotated on this replica and the session's
// newest cookie is still remembered (without it, the token is redeemed as it is).
func (a *Authenticator) rotatedHere(s session) bool {
	if s.Refresh == "" {
		return false
	}
	if _, ok := a.rotated.Get(credentialKey(s)); !ok {
		return false
	}
	_, ok := a.latest.Get(s.ID)
	return ok
}

// rotatedTo remembers that s's refresh token was rotated into the session sealed as value.
func (a *Authenticator) rotatedTo(s session, value string, expires time.Time) {
	ttl := expires.Sub(a.now())
	a.rotated.Add(credentialKey(s), struct{}{}, ttl)
	a.latest.Add(s.ID, value, ttl)
}

// check returns the session's current identity, checking its credential when the last check of
// it on this replica is older than the recheck interval. Concurrent requests presenting the same
// credential share one check.
func (a *Authenticator) check(ctx context.Context, s session, expires time.Time) (*checked, error) {
	key := credentialKey(s)
	if c, ok := a.checked.Get(key); ok {
		return c.(*checked), nil
	}
	v, err, _ := a.flight.Do(key, func() (any, error) {
		// A check that ended just before this one started: its answer, or its rotation.
		if c, ok := a.checked.Get(key); ok {
			return c, nil
		}
		if a.rotatedHere(s) {
			return nil, errRotated
		}
		// One request's cancellation must not fail the others waiting on this check.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		defer cancel()
		c, next, err := a.recheck(ctx, s, expires)
		if err != nil {
			return nil, err
		}
		if next.Refresh != s.Refresh {
			a.rotatedTo(s, c.cookie, expires)
		}
		// Cached under the credential checked now: the renewed cookie presents it next.
		a.checked.Add(credentialKey(next), c, a.recheckEvery)
		return c, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*checked), nil
}

// recheck checks the session's credential with whoever issued it: who it is now, and the
// session as renewed (its refresh token rotated when the issuer rotates it).
func (a *Authenticator) recheck(ctx context.Context, s session, expires time.Time) (*checked, session, error) {
	switch {
	case s.Token != "":
		u, err := a.reviewer.Review(ctx, s.Token)
		var e *biz.Error
		if errors.As(err, &e) && e.Status == http.StatusUnauthorized {
			return nil, s, accessEnded(err)
		}
		if err != nil {
			return nil, s, err
		}
		return &checked{user: u}, s, nil
	case s.Refresh != "" && a.oidc != nil:
		r, err := a.oidc.refresh(ctx, s.Refresh)
		if err != nil {
			return nil, s, err
		}
		s.User, s.Groups = r.user.Name, r.user.Groups
		if r.refresh != "" {
			s.Refresh = r.refresh
		}
		if r.idToken != "" {
			s.IDToken = r.idToken
		}
		value, err := a.sealSession(s, expires)
		if err != nil {
			return nil, s, biz.Internal(err, "seal session: %v", err)
		}
		return &checked{user: r.user, cookie: value}, s, nil
	default:
		// An OIDC session without a refresh token: it ends when its ID token expires (the
		// cookie's expiry), there is nothing to redeem before.
		return &checked{user: &biz.User{Name: s.User, Groups: s.Groups, Impersonate: true}}, s, nil
	}
}

// Logout serves POST /api/v1/auth/logout: the session is recorded as signed out for every
// replica and its cookie cleared; in oidc mode the refresh token is revoked at the issuer and,
// when the issuer offers RP-initiated logout, the answer names where the browser ends its session
// there.
func (a *Authenticator) Logout(ctx context.Context, in service.Input, _ service.None) (SignedOut, error) {
	setCookie(in, cookie(in.Request, sessionCookie, "/", "", time.Time{}))
	out := SignedOut{SignedOut: true}
	c, err := in.Request.Cookie(sessionCookie)
	if err != nil || a.sessions == nil {
		return out, nil
	}
	s, expires, err := unsealExpiry[session](a.sessions, sessionPurpose, c.Value, a.now())
	if err != nil || s.ID == "" {
		return out, nil // nothing valid to end
	}
	if err := a.signOuts.End(ctx, s.ID, time.Unix(s.Issued, 0), expires); err != nil {
		return SignedOut{}, biz.Unavailable(err, "your browser's session cookie is cleared, but the sign-out could not be recorded for every replica, so a copy of the cookie stays valid until %s: %v",
			expires.UTC().Format(time.RFC3339), err)
	}
	// The newest session this replica knows is the one the issuer holds: forget its check here
	// (a copy is refused at once, not only once the sign-out record arrives) and revoke its token.
	_, s, _ = a.newest(c.Value, s, expires)
	a.checked.Remove(credentialKey(s))
	a.latest.Remove(s.ID)
	if a.oidc != nil {
		out.EndSession = a.oidc.endSession(ctx, s)
	}
	return out, nil
}
