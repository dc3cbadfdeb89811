package auth_test

import (
	"fmt"
	"strings"

	"github.com/brewkit/brewkit/builder/serve/auth"
)

// The token file holds the hash of each client's token; the client sends
// the token itself.
func Example() {
	file := "# clients of brewkit serve\nci " + auth.HashLine("bk_example") + "\n"
	tokens, err := auth.ParseTokens(strings.NewReader(file), "tokens")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tokens.Check("bk_example"))
	fmt.Println(tokens.Check("bk_guess"))
	// Output:
	// ci true
	//  false
}
