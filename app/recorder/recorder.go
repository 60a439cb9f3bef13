// Package recorder keeps the status an answer was given, for the filters that report it (the
// audit line, the request metrics).
package recorder

import "net/http"

// Status is w that remembers the status written: 200 unless WriteHeader says otherwise.
type Status struct {
	http.ResponseWriter
	Code int
}

// New wraps w.
func New(w http.ResponseWriter) *Status { return &Status{ResponseWriter: w, Code: http.StatusOK} }

// WriteHeader records code and writes it.
func (s *Status) WriteHeader(code int) {
	s.Code = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the writer beneath (the live stream's flushes).
func (s *Status) Unwrap() http.ResponseWriter { return s.ResponseWriter }
