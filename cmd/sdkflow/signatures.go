package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/sdkflow/sdkflow/signatures"
	"github.com/spf13/cobra"
)

func init() { register(newSignaturesCmd) }

func newSignaturesCmd(io *streams, _ *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "signatures",
		Short: "List, show, validate and import SDK signatures",
		Long: "The signature set is what sdkflow knows about SDKs: one YAML file per SDK, embedded in the\n" +
			"binary. --signatures FILE|DIR adds or overrides entries by id (see signatures/README.md).",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return c.Help() },
	}
	cmd.AddCommand(newSignaturesListCmd(io), newSignaturesShowCmd(io), newSignaturesValidateCmd(io),
		newSignaturesImportExodusCmd(io))
	return cmd
}

func newSignaturesListCmd(io *streams) *cobra.Command {
	var format string
	var paths []string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the signatures (a table on a terminal, JSON otherwise)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if format == "" {
				format = "json"
				if io.OutTTY {
					format = "table"
				}
			}
			if format != "table" && format != "json" {
				return usageErrorf("unknown output format %q (known: table, json)", format)
			}
			set, err := loadSignatures(paths)
			if err != nil {
				return err
			}
			if format == "json" {
				return writeSignatureListJSON(io, set)
			}
			return writeSignatureTable(io, set)
		},
	}
	cmd.Flags().StringVarP(&format, "output", "o", "", "output format: table or json")
	cmd.Flags().StringArrayVar(&paths, "signatures", nil, "add or override signatures from `FILE|DIR` (repeatable)")
	return cmd
}

// signatureSummary is one entry of `signatures list -o json`.
type signatureSummary struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Vendor      string `json:"vendor"`
	Category    string `json:"category"`
	Tracker     bool   `json:"tracker"`
	AppleListed bool   `json:"appleListed"`
	Source      string `json:"source"`
}

func writeSignatureListJSON(io *streams, set *signatures.Set) error {
	info := set.Info()
	out := struct {
		Version    string             `json:"version"`
		Count      int                `json:"count"`
		Digest     string             `json:"digest"`
		Sources    []string           `json:"sources,omitempty"`
		Signatures []signatureSummary `json:"signatures"`
	}{Version: info.Version, Count: info.Count, Digest: info.Digest, Sources: info.Sources}
	for _, s := range set.All() {
		out.Signatures = append(out.Signatures, signatureSummary{
			ID: s.ID, Name: s.Name, Vendor: s.Vendor, Category: s.Category,
			Tracker: s.Tracker, AppleListed: s.AppleListed, Source: s.Source,
		})
	}
	enc := json.NewEncoder(io.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeSignatureTable(io *streams, set *signatures.Set) error {
	tw := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tVENDOR\tCATEGORY\tTRACKER\tAPPLE-LISTED")
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "-"
	}
	for _, s := range set.All() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, oneLine(s.Name), oneLine(s.Vendor), s.Category, yes(s.Tracker), yes(s.AppleListed))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	info := set.Info()
	_, err := fmt.Fprintf(io.Out, "\n%d signatures, set %s, digest %s\n", info.Count, info.Version, info.Digest)
	return err
}

// oneLine keeps user-supplied text from breaking the table's rows and columns.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r < 0x20 {
			return ' '
		}
		return r
	}, s)
}

func newSignaturesShowCmd(io *streams) *cobra.Command {
	var format string
	var paths []string
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one signature (YAML, or JSON with -o json)",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if format != "yaml" && format != "json" {
				return usageErrorf("unknown output format %q (known: yaml, json)", format)
			}
			set, err := loadSignatures(paths)
			if err != nil {
				return err
			}
			sig, ok := set.Get(args[0])
			if !ok {
				return usageErrorf("no signature with id %q (see sdkflow signatures list)", args[0])
			}
			if format == "json" {
				enc := json.NewEncoder(io.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(sig)
			}
			return signatures.EncodeYAML(io.Out, sig, "source: "+sig.Source)
		},
	}
	cmd.Flags().StringVarP(&format, "output", "o", "yaml", "output format: yaml or json")
	cmd.Flags().StringArrayVar(&paths, "signatures", nil, "add or override signatures from `FILE|DIR` (repeatable)")
	return cmd
}

func newSignaturesValidateCmd(io *streams) *cobra.Command {
	return &cobra.Command{
		Use:   "validate PATH...",
		Short: "Check signature files or directories; exit 1 when any is invalid",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			errs := signatures.ValidateAll(args...)
			for _, e := range errs {
				fmt.Fprintln(io.ErrOut, e)
			}
			if len(errs) > 0 {
				return withCode(exitFindings, fmt.Errorf("%d problem(s) in signature files", len(errs)))
			}
			fmt.Fprintf(io.Out, "ok: %s\n", strings.Join(args, ", "))
			return nil
		},
	}
}

func newSignaturesImportExodusCmd(io *streams) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "import-exodus FILE -o DIR",
		Short: "Convert an Exodus Privacy trackers JSON file into signature files (ODbL data, never bundled)",
		Long: "Reads the JSON of the Exodus Privacy trackers API that you supply, and writes one signature\n" +
			"file per tracker into DIR: network signatures become host rules, code signatures (Java\n" +
			"packages) are kept for Android only. The data is under the ODbL 1.0: keep the attribution\n" +
			"file written beside them. Use the directory with --signatures.",
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if dir == "" {
				return usageErrorf("import-exodus needs -o DIR")
			}
			f, err := os.Open(args[0])
			if err != nil {
				return withCode(exitInput, fmt.Errorf("%s: %w", args[0], err))
			}
			defer f.Close()
			imp, err := signatures.ImportExodus(f)
			if err != nil {
				return withCode(exitInput, fmt.Errorf("%s: %w", args[0], err))
			}
			if err := writeImported(dir, args[0], imp); err != nil {
				return err
			}
			for _, w := range imp.Warnings {
				fmt.Fprintln(io.ErrOut, "warning:", w)
			}
			fmt.Fprintf(io.Out, "wrote %d signatures to %s\n", len(imp.Signatures), dir)
			return nil
		},
	}
	cmd.Flags().StringVarP(&dir, "output", "o", "", "directory to write the signature files into")
	return cmd
}

// writeImported writes each signature as DIR/<id>.yaml (ids are kebab case, so the names stay
// inside DIR), and an attribution file. Existing files with those names are replaced.
func writeImported(dir, source string, imp *signatures.ExodusImport) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return withCode(exitInput, fmt.Errorf("%s: %w", dir, err))
	}
	for _, s := range imp.Signatures {
		p := filepath.Join(dir, s.ID+".yaml")
		if filepath.Dir(p) != filepath.Clean(dir) {
			return fmt.Errorf("signature id %q would leave %s", s.ID, dir)
		}
		var b strings.Builder
		if err := signatures.EncodeYAML(&b, s,
			"Converted from "+filepath.Base(source)+" by sdkflow signatures import-exodus.",
			"Data: Exodus Privacy tracker database, ODbL 1.0. Keep this attribution; share derived databases alike."); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			return withCode(exitInput, fmt.Errorf("%s: %w", p, err))
		}
	}
	note := "These signature files were converted from the Exodus Privacy tracker database\n" +
		"(https://reports.exodus-privacy.eu.org), which is made available under the Open Database\n" +
		"License 1.0 (https://opendatacommons.org/licenses/odbl/1-0/). Any derived database must be\n" +
		"shared under the same licence, with this attribution.\n"
	if err := os.WriteFile(filepath.Join(dir, "ATTRIBUTION-EXODUS.txt"), []byte(note), 0o644); err != nil {
		return withCode(exitInput, err)
	}
	return nil
}
