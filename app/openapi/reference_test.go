package openapi_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/kruise-dashboard/kruise-dashboard/app/server"
)

// TestReferenceCommitted: docs/api.md §12 lists exactly the route table's operations, so the
// written reference cannot drift from the API; KD_UPDATE_OPENAPI=1 (make openapi) rewrites it.
func TestReferenceCommitted(t *testing.T) {
	const file = "../../docs/api.md"
	const begin, end = "<!-- operations:begin -->\n", "<!-- operations:end -->"
	doc, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		t.Fatalf("%s has no %q … %q section", file, begin, end)
	}
	want := operationsTable()
	if os.Getenv("KD_UPDATE_OPENAPI") != "" {
		text = text[:i+len(begin)] + want + text[j:]
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got := text[i+len(begin) : j]; got != want {
		t.Fatalf("%s §12 is not the route table's list of operations: run make openapi\n--- want\n%s--- got\n%s", file, want, got)
	}
}

// operationsTable is the home form of every operation, in the route table's order, and whether
// it is served under /clusters/{cluster} too (its operationId then ends in InCluster).
func operationsTable() string {
	ops := server.Operations()
	inCluster := map[string]bool{}
	for _, op := range ops {
		if id, ok := strings.CutSuffix(op.ID, "InCluster"); ok {
			inCluster[id] = true
		}
	}
	var b strings.Builder
	n := 0
	for _, op := range ops {
		if !strings.HasSuffix(op.ID, "InCluster") {
			n++
		}
	}
	fmt.Fprintf(&b, "The %d operations of `/api/v1`, in the route table's order (`app/server/routes.go`), with their\n", n)
	b.WriteString("OpenAPI `operationId`. Those with *yes* in the last column are also served under\n")
	b.WriteString("`/clusters/{cluster}` (operationId + `InCluster`, §11):\n\n")
	b.WriteString("| method and path | operationId | per cluster |\n|---|---|---|\n")
	for _, op := range ops {
		if strings.HasSuffix(op.ID, "InCluster") {
			continue
		}
		per := "—"
		if inCluster[op.ID] {
			per = "yes"
		}
		fmt.Fprintf(&b, "| `%s %s` | `%s` | %s |\n", op.Method, op.Path, op.ID, per)
	}
	return b.String()
}
