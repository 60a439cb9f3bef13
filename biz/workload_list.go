package biz

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/biz/listing"
)

// WorkloadRows reads the workloads the cache keeps encoded, in name order.
type WorkloadRows interface {
	Rows(workloadType, ns string) []*listing.Row
	// List is the JSON array of Rows(workloadType, ns), built once per change of them.
	List(workloadType, ns string) listing.Encoded
	// Lists is the JSON object {plural: List(type, ns)} of the types given (type → plural), built
	// once per change of any of them.
	Lists(ns string, plurals map[string]string) listing.Encoded
}

// ListAll returns every type's objects in ns, keyed by plural. A type whose API the cluster does
// not serve has an empty list: there are none of it. A type the user may not list is left out
// (an empty list would claim there are none); a user who may list none of them is refused.
func (uc *WorkloadUsecase) ListAll(ctx context.Context, ns string) (listing.Encoded, error) {
	ctx, span := uc.start(ctx, "ListAll", ns, "", "")
	defer span.End()
	types, err := uc.listableIn(ctx, ns)
	if err != nil {
		return listing.Encoded{}, err
	}
	plurals := make(map[string]string, len(types))
	for _, a := range types {
		plurals[a.Info().Type] = a.Info().Plural
	}
	return uc.rows.Lists(namespaceOf(ns), plurals), nil
}

// listableIn are the types listed under the namespace segment ns that the user may list, each
// cached or not served (none of it): what GET /workload/:ns and the summary show. A type the
// user may not list is left out (an empty list would claim there are none); a user who may list
// none of them is refused.
func (uc *WorkloadUsecase) listableIn(ctx context.Context, ns string) ([]adapters.Adapter, error) {
	if err := uc.checkNamespace(ns); err != nil {
		return nil, err
	}
	var out []adapters.Adapter
	var denied error
	for _, a := range uc.registry.All() {
		if !inNamespace(a, ns) {
			continue
		}
		if err := Authorize(ctx, uc.access, attributesOf(a, "list", ns, "")); err != nil {
			if denied == nil {
				denied = err
			}
			continue
		}
		// A type whose API is not served has none: an empty list, as the store has for it.
		if err := uc.cache.Ready(a.Info()); err != nil && !errors.Is(err, ErrNotInstalled) {
			return nil, err
		}
		out = append(out, a)
	}
	if len(out) == 0 && denied != nil {
		return nil, denied
	}
	return out, nil
}

// List returns the objects of one type in ns, sorted by name.
func (uc *WorkloadUsecase) List(ctx context.Context, ns, workloadType string) (listing.Encoded, error) {
	ctx, span := uc.start(ctx, "List", ns, workloadType, "")
	defer span.End()
	a, err := uc.listable(ctx, ns, workloadType)
	if err != nil {
		return listing.Encoded{}, err
	}
	if err := uc.cache.Ready(a.Info()); err != nil {
		return listing.Encoded{}, err
	}
	return uc.rows.List(a.Info().Type, inScope(a, ns)), nil
}

// PageQuery is what a page of one type asks for, as given in the query.
type PageQuery struct {
	View, Q, LabelSelector, State, Sort, Limit, Continue string
}

// MaxPageLimit bounds a page.
const MaxPageLimit = 1000

// Page returns the rows of one type that match q, sorted, from the continue token on:
// {"items": [...], "total": matching, "continue": token of the next page or ""}.
func (uc *WorkloadUsecase) Page(ctx context.Context, ns, workloadType string, q PageQuery) (listing.Encoded, error) {
	ctx, span := uc.start(ctx, "Page", ns, workloadType, "")
	defer span.End()
	a, err := uc.listable(ctx, ns, workloadType)
	if err != nil {
		return listing.Encoded{}, err
	}
	p, err := parsePage(q)
	if err != nil {
		return listing.Encoded{}, err
	}
	rows, err := uc.rowsOf(a, ns)
	if err != nil {
		return listing.Encoded{}, err
	}
	matching := make([]*listing.Row, 0, len(rows))
	for _, r := range rows {
		if p.matches(r) {
			matching = append(matching, r)
		}
	}
	if p.sort != "name" { // rows are kept by name already
		slices.SortStableFunc(matching, p.compare)
	}
	from := 0
	if p.after != nil {
		from, _ = slices.BinarySearchFunc(matching, p.after, func(r, after *listing.Row) int {
			if p.compare(r, after) <= 0 {
				return -1
			}
			return 1
		})
	}
	page := matching[from:]
	next := ""
	if p.limit > 0 && len(page) > p.limit {
		page = page[:p.limit]
		next = p.token(page[len(page)-1])
	}
	span.SetAttributes(attribute.Int("total", len(matching)), attribute.Int("items", len(page)))
	out := make([]byte, 0, listing.Size(page, p.compact)+64+len(next))
	out = append(out, `{"items":`...)
	out = listing.Append(out, page, p.compact)
	out = append(out, `,"total":`...)
	out = strconv.AppendInt(out, int64(len(matching)), 10)
	out = append(out, `,"continue":`...)
	out = strconv.AppendQuote(out, next)
	return listing.NewEncoded(append(out, '}')), nil
}

// listable validates a list of one type and authorises it.
func (uc *WorkloadUsecase) listable(ctx context.Context, ns, workloadType string) (adapters.Adapter, error) {
	a, err := uc.adapter(workloadType)
	if err != nil {
		return nil, err
	}
	if err := validScope(a, ns); err != nil {
		return nil, err
	}
	if err := Authorize(ctx, uc.access, attributesOf(a, "list", ns, "")); err != nil {
		return nil, err
	}
	return a, uc.checkNamespace(ns)
}

func (uc *WorkloadUsecase) rowsOf(a adapters.Adapter, ns string) ([]*listing.Row, error) {
	if err := uc.cache.Ready(a.Info()); err != nil {
		return nil, err
	}
	return uc.rows.Rows(a.Info().Type, inScope(a, ns)), nil
}

// page is a parsed PageQuery.
type page struct {
	compact  bool
	q        string
	selector labels.Selector
	state    string
	sort     string
	limit    int
	after    *listing.Row // the last row of the previous page
	filter   string
}

// pageToken is what a continue token carries: the query it belongs to and where it stopped.
type pageToken struct {
	Filter  string `json:"f"`
	Name    string `json:"n"`
	Created int64  `json:"c"`
}

var sorts = []string{"name", "-name", "created", "-created"}

func parsePage(q PageQuery) (*page, error) {
	p := &page{q: strings.ToLower(q.Q), state: q.State, sort: q.Sort, selector: labels.Everything()}
	switch q.View {
	case "", "compact":
		p.compact = true
	case "full":
	default:
		return nil, BadRequest("view must be compact or full, got %q", q.View)
	}
	if q.LabelSelector != "" {
		sel, err := labels.Parse(q.LabelSelector)
		if err != nil {
			return nil, BadRequest("invalid labelSelector %q: %v", q.LabelSelector, err)
		}
		p.selector = sel
	}
	if p.state != "" && !slices.Contains(adapters.States, p.state) {
		return nil, BadRequest("unknown state %q (states: %s)", p.state, strings.Join(adapters.States, ", "))
	}
	if p.sort == "" {
		p.sort = "name"
	}
	if !slices.Contains(sorts, p.sort) {
		return nil, BadRequest("sort must be one of %s, got %q", strings.Join(sorts, ", "), p.sort)
	}
	if q.Limit != "" {
		n, err := strconv.Atoi(q.Limit)
		if err != nil || !wholeNumber.MatchString(q.Limit) || n < 1 || n > MaxPageLimit {
			return nil, BadRequest("limit must be a whole number from 1 to %d, got %q", MaxPageLimit, q.Limit)
		}
		p.limit = n
	}
	p.filter = strings.Join([]string{q.View, p.q, q.LabelSelector, p.state, p.sort}, "\x00")
	if q.Continue != "" {
		raw, err := base64.RawURLEncoding.DecodeString(q.Continue)
		var t pageToken
		if err == nil {
			err = json.Unmarshal(raw, &t)
		}
		if err != nil {
			return nil, BadRequest("invalid continue token")
		}
		if t.Filter != p.filter {
			return nil, BadRequest("the continue token belongs to a different query: keep view, q, labelSelector, state and sort as they were")
		}
		p.after = &listing.Row{Name: t.Name}
		if t.Created != 0 {
			p.after.Created = time.Unix(0, t.Created)
		}
	}
	return p, nil
}

func (p *page) matches(r *listing.Row) bool {
	if p.q != "" && !strings.Contains(strings.ToLower(r.Name), p.q) {
		return false
	}
	if p.state != "" && r.State != p.state {
		return false
	}
	return p.selector.Matches(labels.Set(r.Labels))
}

// compare orders rows as the sort asks, ties broken by name so every order is total.
func (p *page) compare(a, b *listing.Row) int {
	c := 0
	switch strings.TrimPrefix(p.sort, "-") {
	case "created":
		c = a.Created.Compare(b.Created)
	}
	if c == 0 {
		c = strings.Compare(a.Name, b.Name)
	}
	if strings.HasPrefix(p.sort, "-") {
		return -c
	}
	return c
}

func (p *page) token(last *listing.Row) string {
	t := pageToken{Filter: p.filter, Name: last.Name}
	if !last.Created.IsZero() {
		t.Created = last.Created.UnixNano()
	}
	raw, _ := json.Marshal(t) // strings and numbers only: cannot fail
	return base64.RawURLEncoding.EncodeToString(raw)
}
