package main

import (
	"fmt"

	"github.com/sdkflow/sdkflow/internal/version"
	"github.com/spf13/cobra"
)

func init() { register(newVersionCmd) }

func newVersionCmd(io *streams, _ *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			rev := version.Revision()
			if rev == "" {
				rev = "unknown"
			}
			fmt.Fprintf(io.Out, "%s %s (revision %s)\n", version.Name, version.Version, rev)
			return nil
		},
	}
}
