package apiclient

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Response sends a GET with extra headers and returns the whole response with its body read.
func (c Client) Response(path string, header http.Header) (*http.Response, []byte, error) {
	req, err := http.NewRequest(http.MethodGet, c.URL+path, nil)
	if err != nil {
		return nil, nil, err
	}
	for _, h := range []http.Header{c.Header, header} {
		for k, v := range h {
			req.Header[k] = v
		}
	}
	client := c.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// Event is one Server-Sent Event.
type Event struct {
	ID, Name, Data string
}

// Stream reads the events of GET /api/v1/watch.
type Stream struct {
	Status int
	events chan Event
	cancel context.CancelFunc
}

// Watch opens the live stream with the query (e.g. "namespace=demo"), resuming after lastID when
// it is not empty. A refusal gives the status and no events.
func (c Client) Watch(query, lastID string) (*Stream, error) {
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.URL+"/api/v1/watch?"+query, nil)
	if err != nil {
		cancel()
		return nil, err
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	client := c.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		cancel()
		return nil, err
	}
	s := &Stream{Status: resp.StatusCode, events: make(chan Event, 1024), cancel: cancel}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		close(s.events)
		return s, nil
	}
	go func() {
		defer close(s.events)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var e Event
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if e.Name != "" {
					s.events <- e
				}
				e = Event{}
			case strings.HasPrefix(line, "id: "):
				e.ID = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				e.Name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				e.Data = strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return s, nil
}

// Next returns the next event, or an error when none comes within timeout or the stream ended.
func (s *Stream) Next(timeout time.Duration) (Event, error) {
	select {
	case e, ok := <-s.events:
		if !ok {
			return Event{}, fmt.Errorf("the stream ended")
		}
		return e, nil
	case <-time.After(timeout):
		return Event{}, fmt.Errorf("no event within %s", timeout)
	}
}

// Until returns the first event for which match is true, skipping others.
func (s *Stream) Until(timeout time.Duration, match func(Event) bool) (Event, error) {
	deadline := time.Now().Add(timeout)
	for {
		e, err := s.Next(time.Until(deadline))
		if err != nil || match(e) {
			return e, err
		}
	}
}

// Close ends the stream.
func (s *Stream) Close() { s.cancel() }
