package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/cespare/xxhash/v2"
	"go.opentelemetry.io/otel/trace"

	"github.com/kruise-dashboard/kruise-dashboard/app/audit"
	"github.com/kruise-dashboard/kruise-dashboard/biz"
	"github.com/kruise-dashboard/kruise-dashboard/biz/listing"
)

// envelope is the success body of every endpoint.
type envelope struct {
	Data any `json:"data"`
}

// errorBody is the API's error body (docs/api.md §1).
type errorBody struct {
	TraceID string `json:"trace_id"`
	Message string `json:"message"`
	Code    string `json:"code"`
}

// encodeResponse writes {"data": v}: an answer already encoded (listing.Encoded) as it is, around
// the envelope and without a copy; anything else through encoding/json. Then as a conditional,
// compressible representation.
func encodeResponse(w http.ResponseWriter, r *http.Request, v any) error {
	w.Header().Set("Content-Type", "application/json")
	if enc, ok := v.(listing.Encoded); ok {
		return writeRepresentation(w, r, enc.Sum, envelopeOpen, enc.JSON, envelopeClose)
	}
	body, err := json.Marshal(envelope{Data: v})
	if err != nil {
		return biz.Internal(err, "encode response: %v", err)
	}
	return writeRepresentation(w, r, xxhash.Sum64(body), body)
}

var envelopeOpen, envelopeClose = []byte(`{"data":`), []byte(`}`)

// encodeError writes {"trace_id","message","code"}. Anything that is not a *biz.Error is a bug
// (or a recovered panic) and becomes INTERNAL_ERROR without leaking its text.
func encodeError(w http.ResponseWriter, r *http.Request, err error) {
	var apiErr *biz.Error
	if !errors.As(err, &apiErr) {
		apiErr = biz.Internal(err, "internal error; quote the trace id when reporting it")
	}
	writeError(w, r, apiErr)
}

func writeError(w http.ResponseWriter, r *http.Request, e *biz.Error) {
	audit.SetCode(r.Context(), e.Code)
	span := trace.SpanFromContext(r.Context())
	if e.Status >= http.StatusInternalServerError {
		span.RecordError(e)
	}
	body, _ := json.Marshal(errorBody{TraceID: span.SpanContext().TraceID().String(), Message: e.Message, Code: e.Code})
	w.Header().Set("Content-Type", "application/json")
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.FormatInt(int64((e.RetryAfter+time.Second-1)/time.Second), 10))
	}
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}

// notFound answers routes that do not exist with the error body.
func notFound() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, biz.NotFound("no route %s %s", r.Method, r.URL.Path))
	})
}

// methodNotAllowed answers a known path with the wrong method.
func methodNotAllowed() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, biz.MethodNotAllowed("method %s is not allowed on %s", r.Method, r.URL.Path))
	})
}
