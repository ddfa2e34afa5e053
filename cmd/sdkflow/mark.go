package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/sdkflow/sdkflow/model"
	"github.com/sdkflow/sdkflow/proxy"
	"github.com/sdkflow/sdkflow/session"
)

func init() { register(newMarkCmd) }

func newMarkCmd(io *streams, g *globalOptions) *cobra.Command {
	var name, note string
	cmd := &cobra.Command{
		Use:   "mark --session NAME EVENT",
		Short: "Mark a moment in a session (launch, consent-accepted, consent-declined, att-authorized, att-denied, note, or any word)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := session.ValidName(name); err != nil {
				return usageErrorf("--session: %v", err)
			}
			event, err := proxy.ParseEvent(args[0])
			if err != nil {
				return withCode(exitUsage, err)
			}
			store, err := openStoreFor(g, name)
			if err != nil {
				return err
			}
			defer store.Close()
			m := model.Marker{Event: event, Time: time.Now(), Note: proxy.CleanNote(note), Source: "cli"}
			if err := store.AddMarker(cmd.Context(), name, m); err != nil {
				if errors.Is(err, session.ErrNotFound) {
					return withCode(exitInput, noSession(name))
				}
				return withCode(exitInput, err)
			}
			fmt.Fprintf(io.Out, "marked %s in %s at %s\n", event, name, m.Time.Format(time.RFC3339))
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "session", "", "session to mark")
	cmd.Flags().StringVar(&note, "note", "", "free text kept with the marker")
	cmd.MarkFlagRequired("session")
	return cmd
}

// noSession says a session does not exist and how one comes to be.
func noSession(name string) error {
	return fmt.Errorf("%w: %s (record one with `sdkflow proxy --session %s`, or import a HAR file)", session.ErrNotFound, name, name)
}
