package gitsource_test

import (
	"fmt"

	"github.com/brewkit/brewkit/builder/gitsource"
)

func ExampleSafeJoin() {
	p, err := gitsource.SafeJoin("1.21/alpine3.20", "Dockerfile")
	fmt.Println(p, err)
	_, err = gitsource.SafeJoin("../../etc", "passwd")
	fmt.Println(err)
	// Output:
	// 1.21/alpine3.20/Dockerfile <nil>
	// Directory "../../etc" escapes the repository
}
