package conf

import (
	"fmt"
	"maps"
	"math"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-kratos/kratos/v2/config"
	"github.com/go-kratos/kratos/v2/config/env"
	"github.com/go-kratos/kratos/v2/config/file"
	"github.com/go-kratos/kratos/v2/encoding"
)

// EnvPrefix prefixes the environment variables that fill the file's ${KEY:default} placeholders.
const EnvPrefix = "KD_"

// requiredSections must be in the file; the others (audit, auth.oidc) may be left out.
var requiredSections = []string{"server", "kubernetes", "tracing", "limits", "auth"}

// Load reads the config file, fills its ${KEY:default} placeholders from the KD_KEY environment
// variables and checks every value once: the error lists every bad key (see Error).
func Load(path string) (*Bootstrap, error) {
	c := config.New(config.WithSource(env.NewSource(EnvPrefix), file.NewSource(path)))
	defer c.Close()
	if err := c.Load(); err != nil {
		return nil, fmt.Errorf("load config %s: %w", path, err)
	}
	// Placeholders resolve to strings; converting them to the fields' types is decode's work, so
	// a bad value is reported with its key instead of failing the whole scan.
	var raw map[string]any
	if err := c.Scan(&raw); err != nil {
		return nil, fmt.Errorf("parse config %s: %w", path, err)
	}
	d := decoder{env: placeholders(path)}
	var bc Bootstrap
	d.section("", raw, reflect.ValueOf(&bc).Elem(), false)
	for _, name := range requiredSections {
		if raw[name] == nil {
			d.problem(name, nil, "section missing")
		}
	}
	d.checkMetrics(bc.Metrics)
	if len(d.problems) > 0 {
		return nil, &Error{Path: path, Problems: d.problems}
	}
	if bc.Audit == nil {
		bc.Audit = &Audit{}
	}
	return &bc, nil
}

// Error is every bad key of a config file.
type Error struct {
	Path     string
	Problems []Problem
}

// Problem is one bad key: its path (server.timeout), the value found, the environment variable
// that sets it (when the file's value is a placeholder) and what is wrong.
type Problem struct {
	Key    string
	Value  any
	Env    string
	Reason string
}

func (p Problem) String() string {
	s := p.Key + ": "
	switch v := p.Value.(type) {
	case nil:
	case string:
		s += strconv.Quote(v) + ": "
	default:
		s += fmt.Sprintf("%v: ", v)
	}
	s += p.Reason
	if p.Env != "" {
		s += " (" + p.Env + ")"
	}
	return s
}

func (e *Error) Error() string {
	if len(e.Problems) == 1 {
		return fmt.Sprintf("config %s: %s", e.Path, e.Problems[0])
	}
	var b strings.Builder
	fmt.Fprintf(&b, "config %s: %d bad keys:", e.Path, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.String())
	}
	return b.String()
}

var durationType = reflect.TypeFor[time.Duration]()

// decoder fills typed fields from the loaded values, collecting every problem.
type decoder struct {
	env      map[string]string // key path -> KD_ variable of its placeholder
	problems []Problem
}

func (d *decoder) problem(key string, value any, reason string) {
	d.problems = append(d.problems, Problem{Key: key, Value: value, Env: d.env[key], Reason: reason})
}

// section fills the struct v from raw, a map of the keys named by v's json tags. Keys it does
// not know are problems (a typo would otherwise be silently ignored), except at the top level,
// where the KD_ environment variables are merged in too.
func (d *decoder) section(path string, raw any, v reflect.Value, strict bool) {
	m, ok := raw.(map[string]any)
	if !ok {
		d.problem(path, raw, "not a section of keys")
		return
	}
	t := v.Type()
	known := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		key := strings.Split(f.Tag.Get("json"), ",")[0]
		known[key] = true
		val := m[key]
		if path != "" {
			key = path + "." + key
		}
		if f.Type.Kind() == reflect.Map { // named sections: map[string]*struct
			if val == nil {
				continue
			}
			d.sections(key, val, v.Field(i))
			continue
		}
		if f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct {
			if val == nil { // a section left out stays nil
				continue
			}
			sub := reflect.New(f.Type.Elem())
			d.section(key, val, sub.Elem(), true)
			v.Field(i).Set(sub)
			continue
		}
		reason := d.leaf(val, v.Field(i))
		if tag, ok := f.Tag.Lookup("oneof"); ok && reason == "" {
			reason = oneOf(tag, v.Field(i).String())
		}
		if reason != "" {
			d.problem(key, val, reason)
		}
	}
	if !strict {
		return
	}
	var unknown []string
	for k := range m {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		d.problem(path+"."+k, nil, "unknown key")
	}
}

// sections fills the map v (string keys, pointers to structs) from raw, a map of named sections.
func (d *decoder) sections(path string, raw any, v reflect.Value) {
	m, ok := raw.(map[string]any)
	if !ok {
		d.problem(path, raw, "not a section of named sections")
		return
	}
	out := reflect.MakeMapWithSize(v.Type(), len(m))
	for _, name := range slices.Sorted(maps.Keys(m)) {
		if _, ok := m[name].(map[string]any); !ok {
			d.problem(path+"."+name, m[name], "not a section of keys")
			continue
		}
		sub := reflect.New(v.Type().Elem().Elem())
		d.section(path+"."+name, m[name], sub.Elem(), true)
		out.SetMapIndex(reflect.ValueOf(name), sub)
	}
	v.Set(out)
}

// leaf sets one value and returns what is wrong with it, if anything. Values come as strings
// (placeholders, environment variables) or as YAML scalars written in the file; nil (a key left
// empty) is the type's zero value.
func (d *decoder) leaf(val any, f reflect.Value) string {
	if f.Type() == durationType {
		s, ok := val.(string)
		if !ok {
			return "not a duration (e.g. 30s, 1m30s)"
		}
		dur, err := time.ParseDuration(s)
		if err != nil {
			return "not a duration (e.g. 30s, 1m30s)"
		}
		if dur <= 0 {
			return "must be positive"
		}
		f.SetInt(int64(dur))
		return ""
	}
	if val == nil {
		return ""
	}
	switch f.Kind() {
	case reflect.String:
		switch v := val.(type) {
		case string:
			f.SetString(v)
		case float64:
			f.SetString(strconv.FormatFloat(v, 'f', -1, 64))
		case bool:
			f.SetString(strconv.FormatBool(v))
		default:
			return "not a string"
		}
	case reflect.Bool:
		switch v := val.(type) {
		case bool:
			f.SetBool(v)
		case string:
			b, err := strconv.ParseBool(v)
			if err != nil {
				return "not a boolean (true or false)"
			}
			f.SetBool(b)
		default:
			return "not a boolean (true or false)"
		}
	case reflect.Int, reflect.Int32, reflect.Int64:
		var n int64
		switch v := val.(type) {
		case float64:
			if v != math.Trunc(v) || math.Abs(v) > 1<<62 {
				return "not an integer"
			}
			n = int64(v)
		case string:
			var err error
			if n, err = strconv.ParseInt(v, 10, 64); err != nil {
				return "not an integer"
			}
		default:
			return "not an integer"
		}
		if f.OverflowInt(n) {
			return "out of range"
		}
		f.SetInt(n)
	case reflect.Float64:
		switch v := val.(type) {
		case float64:
			f.SetFloat(v)
		case string:
			x, err := strconv.ParseFloat(v, 64)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				return "not a number"
			}
			f.SetFloat(x)
		default:
			return "not a number"
		}
	case reflect.Slice: // []string: a comma-separated string or a YAML list of strings
		var list []string
		switch v := val.(type) {
		case string:
			list = splitList(v)
		case []any:
			for _, item := range v {
				s, ok := item.(string)
				if !ok {
					return "not a list of strings"
				}
				if s = strings.TrimSpace(s); s != "" {
					list = append(list, s)
				}
			}
		default:
			return "not a list (comma separated)"
		}
		f.Set(reflect.ValueOf(list))
	default:
		panic(fmt.Sprintf("conf: no decoding for %s", f.Type()))
	}
	return ""
}

// oneOf checks a value against the choices of a oneof:"a|b|c" tag ("" among them: may be empty).
func oneOf(tag, value string) string {
	choices := strings.Split(tag, "|")
	if slices.Contains(choices, value) {
		return ""
	}
	var named []string
	for _, c := range choices {
		if c != "" {
			named = append(named, c)
		}
	}
	want := "want " + strings.Join(named[:len(named)-1], ", ") + " or " + named[len(named)-1]
	if len(named) < len(choices) {
		want += " (or empty)"
	}
	return want
}

// splitList splits a comma-separated setting, dropping blanks.
func splitList(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

var placeholder = regexp.MustCompile(`^\$\{([^:}]+)(:.*)?\}$`)

// placeholders maps each key path whose value in the file is a ${KEY:default} placeholder to
// the environment variable that sets it, so a problem names what to change. Best effort: the
// file was already read without error by Load.
func placeholders(path string) map[string]string {
	out := map[string]string{}
	kvs, err := file.NewSource(path).Load()
	if err != nil {
		return out
	}
	for _, kv := range kvs {
		codec := encoding.GetCodec(kv.Format)
		var m map[string]any
		if codec == nil || codec.Unmarshal(kv.Value, &m) != nil {
			continue
		}
		var walk func(prefix string, m map[string]any)
		walk = func(prefix string, m map[string]any) {
			for k, v := range m {
				switch v := v.(type) {
				case map[string]any:
					walk(prefix+k+".", v)
				case string:
					if sub := placeholder.FindStringSubmatch(strings.TrimSpace(v)); sub != nil {
						out[prefix+k] = EnvPrefix + strings.TrimSpace(sub[1])
					}
				}
			}
		}
		walk("", m)
	}
	return out
}

// checkMetrics checks what the metrics section's values mean together (their types are checked).
func (d *decoder) checkMetrics(m *Metrics) {
	if m == nil {
		return
	}
	if p := m.Prometheus; p != nil && p.URL != "" {
		if u, err := url.Parse(p.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			d.problem("metrics.prometheus.url", p.URL, "not an http or https URL")
		}
	}
	e := m.Evidence
	if e == nil {
		return
	}
	if e.MinRequests < 1 {
		d.problem("metrics.evidence.min_requests", e.MinRequests, "must be at least 1")
	}
	if e.ErrorRatioPoints < 0 || e.ErrorRatioPoints > 100 {
		d.problem("metrics.evidence.error_ratio_points", e.ErrorRatioPoints, "must be between 0 and 100")
	}
	if e.ErrorRatioFactor < 1 {
		d.problem("metrics.evidence.error_ratio_factor", e.ErrorRatioFactor, "must be at least 1")
	}
	if e.LatencyFactor < 1 {
		d.problem("metrics.evidence.latency_factor", e.LatencyFactor, "must be at least 1")
	}
	if len(e.Templates) == 0 {
		d.problem("metrics.evidence.templates", nil, "no template")
	} else if _, ok := e.Templates[e.Template]; !ok {
		d.problem("metrics.evidence.template", e.Template, "not among metrics.evidence.templates ("+strings.Join(slices.Sorted(maps.Keys(e.Templates)), ", ")+")")
	}
	for _, name := range slices.Sorted(maps.Keys(e.Templates)) {
		t := e.Templates[name]
		for _, q := range []struct{ key, query, need string }{
			{"requests", t.Requests, "$selector $window"}, {"errors", t.Errors, "$selector $window"},
			{"latency", t.Latency, "$selector $window $quantile"},
		} {
			for _, p := range strings.Fields(q.need) {
				if !strings.Contains(q.query, p) {
					d.problem("metrics.evidence.templates."+name+"."+q.key, q.query, "does not use "+p)
				}
			}
		}
	}
}
