package biz

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// Error is an API error: the HTTP status and the API's code (docs/api.md §2), with a message that names the
// object and the reason. The HTTP layer writes it as {"trace_id","message","code"}.
type Error struct {
	Status  int
	Code    string
	Message string
	// RetryAfter, when positive, is sent as the Retry-After header (whole seconds, rounded up).
	RetryAfter time.Duration
	cause      error
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.cause }

// The API's codes (docs/api.md §2).
const (
	CodeBadRequest   = "BAD_REQUEST"
	CodeUnauthorized = "UNAUTHORIZED"
	CodeForbidden    = "FORBIDDEN"
	CodeNotFound     = "NOT_FOUND"
	CodeNotAllowed   = "METHOD_NOT_ALLOWED"
	CodeConflict     = "CONFLICT"
	CodeInvalid      = "INVALID"
	CodeUnavailable  = "UNAVAILABLE"
	CodeInternal     = "INTERNAL_ERROR"
	// CodeTooManyRequests is a 429: too many failed sign-ins or bearer tokens from the client's
	// address, or from everyone (docs/configuration.md §2).
	CodeTooManyRequests = "TOO_MANY_REQUESTS"
)

// ErrTokenRejected is the cause of the 401 for a token the API server's TokenReview did not
// authenticate, as opposed to a review that could not be made (errors.Is tells them apart).
var ErrTokenRejected = errors.New("token rejected")

func newError(status int, code string, cause error, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...), cause: cause}
}

// BadRequest is a 400 for input the caller must fix.
func BadRequest(format string, args ...any) *Error {
	return newError(http.StatusBadRequest, CodeBadRequest, nil, format, args...)
}

// NotFound is a 404 for a missing object or route.
func NotFound(format string, args ...any) *Error {
	return newError(http.StatusNotFound, CodeNotFound, nil, format, args...)
}

// MethodNotAllowed is a 405 for a known path with the wrong method.
func MethodNotAllowed(format string, args ...any) *Error {
	return newError(http.StatusMethodNotAllowed, CodeNotAllowed, nil, format, args...)
}

// Unauthorized is a 401: the request has no identity the dashboard accepts.
func Unauthorized(format string, args ...any) *Error {
	return newError(http.StatusUnauthorized, CodeUnauthorized, nil, format, args...)
}

// TokenRejected is the 401 of a token the API server does not authenticate (its cause is
// ErrTokenRejected).
func TokenRejected(format string, args ...any) *Error {
	return newError(http.StatusUnauthorized, CodeUnauthorized, ErrTokenRejected, format, args...)
}

// TooManyRequests is a 429, to be retried after retryAfter.
func TooManyRequests(retryAfter time.Duration, format string, args ...any) *Error {
	e := newError(http.StatusTooManyRequests, CodeTooManyRequests, nil, format, args...)
	e.RetryAfter = retryAfter
	return e
}

// ReadOnly is the 403 of a mutation while the server-wide read-only switch is on.
func ReadOnly() *Error {
	return newError(http.StatusForbidden, CodeReadOnly, nil, "the dashboard is read-only (KD_READ_ONLY): no changes can be made through it")
}

// Unavailable is a 503: the API server or a type's API cannot serve the request now.
func Unavailable(cause error, format string, args ...any) *Error {
	return newError(http.StatusServiceUnavailable, CodeUnavailable, cause, format, args...)
}

// Conflict is a 409: the object's state does not allow the action now.
func Conflict(cause error, format string, args ...any) *Error {
	return newError(http.StatusConflict, CodeConflict, cause, format, args...)
}

// Internal is a 500, for bugs only.
func Internal(cause error, format string, args ...any) *Error {
	return newError(http.StatusInternalServerError, CodeInternal, cause, format, args...)
}

// IsForbidden tells whether err is a 403 FORBIDDEN API error.
func IsForbidden(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == CodeForbidden
}

// FromKube maps an error of a Kubernetes call about `what` (e.g. `cloneset demo/shop`) to an
// API error, keeping the API server's reason in the message.
func FromKube(err error, what string) error {
	if err == nil {
		return nil
	}
	var apiErr *Error
	if errors.As(err, &apiErr) {
		return err
	}
	status := apierrors.APIStatus(nil)
	if errors.As(err, &status) {
		msg := status.Status().Message
		switch {
		case apierrors.IsNotFound(err):
			return newError(http.StatusNotFound, CodeNotFound, err, "%s not found", what)
		case apierrors.IsUnauthorized(err):
			return newError(http.StatusUnauthorized, CodeUnauthorized, err, "the API server rejected the dashboard's credentials for %s: %s", what, msg)
		case apierrors.IsForbidden(err):
			return newError(http.StatusForbidden, CodeForbidden, err, "forbidden on %s: %s", what, msg)
		case apierrors.IsConflict(err), apierrors.IsAlreadyExists(err):
			return newError(http.StatusConflict, CodeConflict, err, "conflict on %s: %s", what, msg)
		case apierrors.IsInvalid(err):
			return newError(http.StatusUnprocessableEntity, CodeInvalid, err, "the API server refused %s: %s", what, msg)
		case apierrors.IsBadRequest(err):
			return newError(http.StatusBadRequest, CodeBadRequest, err, "bad request for %s: %s", what, msg)
		case apierrors.IsServiceUnavailable(err), apierrors.IsTimeout(err), apierrors.IsServerTimeout(err), apierrors.IsTooManyRequests(err):
			return Unavailable(err, "the API server could not serve %s now: %s", what, msg)
		}
	}
	if isUnreachable(err) {
		return Unavailable(err, "the API server is unreachable (%s): %v", what, err)
	}
	return Internal(err, "unexpected error on %s: %v", what, err)
}

func isUnreachable(err error) bool {
	var netErr net.Error
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr)
}
