package declared

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/ext"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
)

// expressions are a declaration's CEL programs, compiled once. Each evaluation is bounded by the
// declaration's cost limit (CEL's own accounting, as in ValidatingAdmissionPolicy).
type expressions struct {
	state    *program
	selector *program
	columns  []*program
	actions  map[string]*program
}

// program is one compiled expression with the field it came from, for errors.
type program struct {
	field string
	name  string
	prg   cel.Program
	limit uint64
}

// celEnv is the environment every declared expression is compiled in: the object as `object`
// and an action's parameters as `params`, with optional field selection (object.?spec.x) and
// the string extensions.
var celEnv = func() *cel.Env {
	env, err := cel.NewEnv(
		cel.Variable("object", cel.DynType),
		cel.Variable("params", cel.MapType(cel.StringType, cel.DynType)),
		cel.OptionalTypes(),
		ext.Strings(),
	)
	if err != nil {
		panic(fmt.Sprintf("CEL environment: %v", err)) // static options: a bug, caught by any test
	}
	return env
}()

func newExpressions(d *Declaration) (*expressions, error) {
	var errs []error
	compile := func(field, name, src string) *program {
		if src == "" {
			return nil
		}
		ast, iss := celEnv.Compile(src)
		if iss.Err() != nil {
			errs = append(errs, d.fieldError(field, "invalid CEL: %s", strings.ReplaceAll(iss.Err().Error(), "\n", " ")))
			return nil
		}
		prg, err := celEnv.Program(ast, cel.CostLimit(d.CostLimit), cel.EvalOptions(cel.OptTrackCost))
		if err != nil {
			errs = append(errs, d.fieldError(field, "CEL program: %v", err))
			return nil
		}
		return &program{field: field, name: name, prg: prg, limit: d.CostLimit}
	}
	e := &expressions{actions: map[string]*program{}}
	e.state = compile("state", "state", d.State)
	e.selector = compile("pods.selector", "selector", d.Pods.Selector)
	for i, c := range d.Columns {
		e.columns = append(e.columns, compile(fmt.Sprintf("columns[%d].expression", i), c.Name, c.Expression))
	}
	for i, a := range d.Actions {
		e.actions[a.Name] = compile(fmt.Sprintf("actions[%d].patch", i), a.Name, a.Patch)
	}
	return e, errors.Join(errs...)
}

// eval runs the program over an object prepared by wholeNumbers and the parameters and returns the
// result as plain JSON values (maps, lists, strings, float64/int64, bools, nil).
func (p *program) eval(object map[string]any, params map[string]any) (any, error) {
	if params == nil {
		params = map[string]any{}
	}
	out, _, err := p.prg.Eval(map[string]any{"object": object, "params": params})
	if err != nil {
		if strings.Contains(err.Error(), "cost limit exceeded") {
			return nil, fmt.Errorf("%s: %w (%d)", p.field, adapters.ErrCostLimit, p.limit)
		}
		return nil, fmt.Errorf("%s: %v", p.field, err)
	}
	v, err := out.ConvertToNative(reflect.TypeOf(&structpb.Value{}))
	if err != nil {
		return nil, fmt.Errorf("%s: the result is not JSON: %v", p.field, err)
	}
	return v.(*structpb.Value).AsInterface(), nil
}

// wholeNumbers is an object's content as the expressions see it: JSON numbers without a fraction
// turned into integers, so an expression compares object.spec.replicas with 3 (an int in CEL)
// as a person would. It copies: callers make one copy per object for all its expressions.
func wholeNumbers(v map[string]any) map[string]any {
	out := make(map[string]any, len(v))
	for k, x := range v {
		out[k] = whole(x)
	}
	return out
}

func whole(x any) any {
	switch t := x.(type) {
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1<<53 {
			return int64(t)
		}
	case map[string]any:
		return wholeNumbers(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = whole(e)
		}
		return out
	}
	return x
}
