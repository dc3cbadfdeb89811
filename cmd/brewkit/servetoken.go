package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/brewkit/brewkit/builder/serve/auth"
)

func newServeTokenCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "token NAME",
		Short: "Make a token for the API of brewkit serve, and its --token-file line",
		Long: `Make a token for the API of brewkit serve, and its --token-file line.

The first line printed is the token: give it to the client NAME, which
sends it as "Authorization: Bearer TOKEN". The second line is for the
--token-file: NAME and the sha256 of the token; add it to the file and
restart serve. The token is stored nowhere: print another if it is lost.
A NAME is 1 to 64 letters, digits and . _ - @.`,
		Example: `  brewkit serve token ci
  brewkit serve token ci | sed -n 2p >> /etc/brewkit/tokens`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			token, line, err := auth.NewToken(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), token)
			fmt.Fprintln(cmd.OutOrStdout(), line)
			fmt.Fprintf(cmd.ErrOrStderr(), "above: the token for %s (line 1; send it as \"Authorization: Bearer TOKEN\"),\n"+
				"and the line to add to serve's --token-file (line 2; it holds only the token's hash)\n", args[0])
			return nil
		},
	}
}
