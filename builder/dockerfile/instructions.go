package dockerfile

import (
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// parseInstructions turns the syntax tree into stages, as
// instructions.Parse does, but keeps the line of each failing instruction.
func parseInstructions(ast *parser.Node) ([]instructions.Stage, []instructions.ArgCommand, error) {
	// instructions.Parse with a nil linter panics on a "# check=" comment
	// after the first instruction; this linter warns nobody.
	lint := linter.New(&linter.Config{})
	var (
		stages   []instructions.Stage
		metaArgs []instructions.ArgCommand
	)
	for _, n := range ast.Children {
		v, err := instructions.ParseInstructionWithLinter(n, lint)
		if err != nil {
			return nil, nil, &Error{Line: n.StartLine, Err: err}
		}
		switch c := v.(type) {
		case *instructions.Stage:
			stages = append(stages, *c)
		case *instructions.ArgCommand:
			if len(stages) == 0 {
				metaArgs = append(metaArgs, *c)
			} else {
				stages[len(stages)-1].AddCommand(c)
			}
		case instructions.Command:
			if len(stages) == 0 {
				return nil, nil, errorf(n.StartLine, "%s before the first FROM: only ARG and parser directives may come before FROM", strings.ToUpper(n.Value))
			}
			stages[len(stages)-1].AddCommand(c)
		default:
			return nil, nil, errorf(n.StartLine, "unexpected instruction %T", v)
		}
	}
	if len(stages) == 0 {
		return nil, nil, errorf(ast.Children[0].StartLine, "no FROM instruction: the Dockerfile has no stage to build")
	}
	return stages, metaArgs, nil
}

// describe is the start of an error message about an instruction.
func describe(source string) string {
	source = strings.Join(strings.Fields(source), " ")
	if r := []rune(source); len(r) > 80 {
		source = string(r[:77]) + "..."
	}
	return source
}
