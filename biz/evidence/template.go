// Package evidence is the evidence beside Approve: the canary's pods against the stable pods of
// a release in flight, from a Prometheus server, and the dashboard's verdict (not the Kruise
// Rollout controller's, whose analysis step does nothing). Pods are selected only by the
// namespace and pod labels a kubernetes_sd scrape gives; the dashboard injects both, so a query
// reads no namespace but the Rollout's, and a Rollout may only choose among the templates the
// administrator configured.
package evidence

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"
)

// TemplateAnnotation on a Rollout names the template its evidence uses, among the configured
// ones; without it the default template is used.
const TemplateAnnotation = "kruise-dashboard.io/evidence-template"

// The placeholders a template's queries are written with.
const (
	// PlaceholderSelector becomes namespace="<ns>",pod=~"<pod>|<pod>…"; it must be inside every
	// label matcher of a query.
	PlaceholderSelector = "$selector"
	// PlaceholderWindow becomes the window, in seconds (300s).
	PlaceholderWindow = "$window"
	// PlaceholderQuantile becomes 0.5 or 0.95 (latency only).
	PlaceholderQuantile = "$quantile"
)

// Template is one convention's queries. Requests and Errors are per-second rates of all and of
// failed requests, Latency a quantile in seconds; each must aggregate to one value (sum, or
// histogram_quantile over sum by (le)).
type Template struct {
	Name     string `json:"name"`
	Requests string `json:"requests"`
	Errors   string `json:"errors"`
	Latency  string `json:"latency"`
}

var placeholderRef = regexp.MustCompile(`\$[A-Za-z_][A-Za-z0-9_]*`)

// Check refuses a template whose queries do not confine themselves to the injected selector:
// each must use $selector inside every label matcher ({…}) it has and have at least one, use
// $window (and Latency $quantile), and name no other placeholder. The check is lexical: the
// templates are the administrator's, and it catches the mistakes of writing one.
func (t Template) Check() error {
	if t.Name == "" {
		return fmt.Errorf("a template has no name")
	}
	for _, q := range []struct {
		key, query string
		need       []string
	}{
		{"requests", t.Requests, []string{PlaceholderSelector, PlaceholderWindow}},
		{"errors", t.Errors, []string{PlaceholderSelector, PlaceholderWindow}},
		{"latency", t.Latency, []string{PlaceholderSelector, PlaceholderWindow, PlaceholderQuantile}},
	} {
		if err := checkQuery(q.query, q.need); err != nil {
			return fmt.Errorf("template %q, query %s: %w", t.Name, q.key, err)
		}
	}
	return nil
}

func checkQuery(q string, need []string) error {
	if strings.TrimSpace(q) == "" {
		return fmt.Errorf("empty")
	}
	for _, p := range need {
		if !strings.Contains(q, p) {
			return fmt.Errorf("does not use %s", p)
		}
	}
	for _, ref := range placeholderRef.FindAllString(q, -1) {
		if !slices.Contains(need, ref) {
			return fmt.Errorf("names %s, which is not one of %s", ref, strings.Join(need, ", "))
		}
	}
	blocks, err := matcherBlocks(q)
	if err != nil {
		return err
	}
	if len(blocks) == 0 {
		return fmt.Errorf("has no label matcher {…} to put %s in", PlaceholderSelector)
	}
	for _, b := range blocks {
		if !strings.Contains(b, PlaceholderSelector) {
			return fmt.Errorf("label matcher {%s} does not use %s: it would read series of any namespace", b, PlaceholderSelector)
		}
	}
	return nil
}

// matcherBlocks are the contents of the query's {…} label matchers, outside string literals,
// with the string literals inside them left out.
func matcherBlocks(q string) ([]string, error) {
	var out []string
	var block strings.Builder
	inBlock := false
	var quote rune
	escaped := false
	for i, r := range q {
		switch {
		case quote != 0: // inside a string literal
			switch {
			case escaped:
				escaped = false
			case r == '\\' && quote != '`':
				escaped = true
			case r == quote:
				quote = 0
			}
		case r == '"' || r == '\'' || r == '`':
			quote = r
		case r == '{':
			if inBlock {
				return nil, fmt.Errorf("nested { at %d", i)
			}
			inBlock = true
		case r == '}':
			if !inBlock {
				return nil, fmt.Errorf("unmatched } at %d", i)
			}
			out = append(out, block.String())
			block.Reset()
			inBlock = false
		case inBlock:
			block.WriteRune(r)
		}
	}
	if quote != 0 || inBlock {
		return nil, fmt.Errorf("unterminated string or label matcher")
	}
	return out, nil
}

// Queries are the PromQL run for one side (canary or stable), so the UI can say which
// convention a panel used.
type Queries struct {
	Requests   string `json:"requests"`
	Errors     string `json:"errors"`
	LatencyP50 string `json:"latencyP50"`
	LatencyP95 string `json:"latencyP95"`
}

// Selector is the matchers of the namespace and the pods: the namespace exactly, the pods as an
// alternation of their names with every regular-expression character escaped (Prometheus
// anchors =~ at both ends), both as PromQL string literals. It refuses a namespace that is not a
// DNS label and an empty or invalid pod list, which would match series of any pod.
func Selector(namespace string, pods []string) (string, error) {
	if errs := validation.IsDNS1123Label(namespace); len(errs) > 0 {
		return "", fmt.Errorf("namespace %q: %s", namespace, strings.Join(errs, "; "))
	}
	if len(pods) == 0 {
		return "", fmt.Errorf("no pods")
	}
	alts := make([]string, 0, len(pods))
	for _, p := range slices.Sorted(slices.Values(pods)) {
		if errs := validation.IsDNS1123Subdomain(p); len(errs) > 0 {
			return "", fmt.Errorf("pod %q: %s", p, strings.Join(errs, "; "))
		}
		alts = append(alts, regexp.QuoteMeta(p))
	}
	alts = slices.Compact(alts)
	return "namespace=" + strconv.Quote(namespace) + ",pod=~" + strconv.Quote(strings.Join(alts, "|")), nil
}

// Render fills the template's queries for the selector and the window.
func (t Template) Render(selector string, window time.Duration) Queries {
	secs := int64(window / time.Second)
	if secs < 1 {
		secs = 1
	}
	fill := func(q, quantile string) string {
		return strings.NewReplacer(PlaceholderSelector, selector, PlaceholderWindow, strconv.FormatInt(secs, 10)+"s",
			PlaceholderQuantile, quantile).Replace(q)
	}
	return Queries{
		Requests: fill(t.Requests, ""), Errors: fill(t.Errors, ""),
		LatencyP50: fill(t.Latency, "0.5"), LatencyP95: fill(t.Latency, "0.95"),
	}
}

// choose is the template a Rollout's annotations select: the annotation's, which must be a
// configured one, or the default.
func choose(templates map[string]Template, def string, annotations map[string]string) (Template, error) {
	name, set := annotations[TemplateAnnotation]
	if !set || strings.TrimSpace(name) == "" {
		name = def
	}
	name = strings.TrimSpace(name)
	t, ok := templates[name]
	if !ok {
		return Template{}, &UnknownTemplateError{Name: name, Known: slices.Sorted(maps.Keys(templates))}
	}
	return t, nil
}

// UnknownTemplateError is a Rollout's annotation naming a template the administrator did not
// configure: no query is made.
type UnknownTemplateError struct {
	Name  string
	Known []string
}

func (e *UnknownTemplateError) Error() string {
	return fmt.Sprintf("the annotation %s names the evidence template %q, which is not configured (configured: %s)",
		TemplateAnnotation, e.Name, strings.Join(e.Known, ", "))
}
