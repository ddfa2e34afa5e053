package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sdkflow/sdkflow/internal/home"
	"github.com/sdkflow/sdkflow/proxy"
)

func init() { register(newCACmd) }

func newCACmd(io *streams, g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ca",
		Short: "The proxy's certificate authority: path, export, rotate",
		Args:  cobra.NoArgs,
	}
	load := func() (*proxy.CA, error) {
		dirs, err := home.Resolve(g.store)
		if err != nil {
			return nil, withCode(exitInput, err)
		}
		ca, err := proxy.LoadOrCreateCA(dirs.CA)
		if err != nil {
			return nil, withCode(exitInput, err)
		}
		return ca, nil
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "path",
		Short: "Print the path of the CA certificate (created on first use)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			ca, err := load()
			if err != nil {
				return err
			}
			fmt.Fprintln(io.Out, ca.CertPath())
			return nil
		},
	})
	var format string
	export := &cobra.Command{
		Use:   "export",
		Short: "Write the CA certificate to standard output (PEM; or DER, or an iOS .mobileconfig)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			var out []byte
			switch format {
			case "pem", "der", "mobileconfig":
			default:
				return usageErrorf("--format %q: want pem, der or mobileconfig", format)
			}
			ca, err := load()
			if err != nil {
				return err
			}
			switch format {
			case "pem":
				out = ca.PEM()
			case "der":
				out = ca.Cert.Raw
			case "mobileconfig":
				if out, err = ca.MobileConfig(); err != nil {
					return err
				}
			}
			_, err = io.Out.Write(out)
			return err
		},
	}
	export.Flags().StringVar(&format, "format", "pem", "pem, der or mobileconfig")
	cmd.AddCommand(export)
	cmd.AddCommand(&cobra.Command{
		Use:   "rotate",
		Short: "Replace the CA with a new one (devices must install the new CA)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			dirs, err := home.Resolve(g.store)
			if err != nil {
				return withCode(exitInput, err)
			}
			ca, err := proxy.RotateCA(dirs.CA)
			if err != nil {
				return withCode(exitInput, err)
			}
			fmt.Fprintf(io.Out, "new CA %s\nSHA-256 %s\n", ca.CertPath(), ca.Fingerprint())
			fmt.Fprintln(io.ErrOut, "Remove the old sdkflow CA profile from every device that trusted it, then install the new one.")
			return nil
		},
	})
	return cmd
}
