package openapi_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/kruise-dashboard/kruise-dashboard/app/server"
)

// TestDocumentCommitted: the UI's copy (app/web/src/api/openapi.json, from which its TypeScript
// types are generated) is the document of the route table; KD_UPDATE_OPENAPI=1 (make openapi)
// rewrites it.
func TestDocumentCommitted(t *testing.T) {
	const file = "../web/src/api/openapi.json"
	if os.Getenv("KD_UPDATE_OPENAPI") != "" {
		if err := os.WriteFile(file, server.Document(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(file)
	if err != nil || !bytes.Equal(got, server.Document()) {
		t.Fatalf("%s is stale (%v): run make openapi", file, err)
	}
}
