package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// sealer seals small values (sessions, sign-in state) into cookies with AES-256-GCM under a key
// every replica shares: no server-side store, so sessions survive restarts and work on any
// replica behind one Service. The purpose is bound as additional data, so a value sealed as one
// kind of cookie cannot be replayed as another.
type sealer struct{ aead cipher.AEAD }

// minKeyLength is the shortest session key accepted (the key is hashed to 256 bits).
const minKeyLength = 32

func newSealer(key string) (*sealer, error) {
	if len(key) < minKeyLength {
		return nil, fmt.Errorf("the session key must be at least %d characters (e.g. `openssl rand -hex 32`), got %d", minKeyLength, len(key))
	}
	sum := sha256.Sum256([]byte(key))
	block, err := aes.NewCipher(sum[:])
	if err != nil {
		return nil, fmt.Errorf("session cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("session cipher: %w", err)
	}
	return &sealer{aead: aead}, nil
}

// errExpired is the error of a well-formed value past its expiry.
var errExpired = errors.New("expired")

// sealed is what every sealed value carries besides its payload.
type sealed[T any] struct {
	Expires int64 `json:"exp"`
	Value   T     `json:"v"`
}

func seal[T any](s *sealer, purpose string, v T, expires time.Time) (string, error) {
	plain, err := json.Marshal(sealed[T]{Expires: expires.Unix(), Value: v})
	if err != nil {
		return "", err
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, []byte(purpose))), nil
}

func unseal[T any](s *sealer, purpose, text string, now time.Time) (T, error) {
	v, _, err := unsealExpiry[T](s, purpose, text, now)
	return v, err
}

// unsealExpiry is unseal that also gives the value's expiry (to seal a renewed value until then).
func unsealExpiry[T any](s *sealer, purpose, text string, now time.Time) (T, time.Time, error) {
	var zero T
	raw, err := base64.RawURLEncoding.DecodeString(text)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return zero, time.Time{}, errors.New("malformed")
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(purpose))
	if err != nil {
		return zero, time.Time{}, errors.New("not sealed by this dashboard's key")
	}
	var out sealed[T]
	if err := json.Unmarshal(plain, &out); err != nil {
		return zero, time.Time{}, errors.New("malformed")
	}
	if now.Unix() >= out.Expires {
		return zero, time.Time{}, errExpired
	}
	return out.Value, time.Unix(out.Expires, 0), nil
}
