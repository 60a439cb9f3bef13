// Package configs holds the dashboard's configuration files; the declared workload types shipped
// with it (types/*.yaml) are built into the binary from here.
package configs

import "embed"

// Types are the shipped type declarations (docs/configuration.md §4).
//
//go:embed types/*.yaml
var Types embed.FS

// Config is config.yaml, for a binary run outside a checkout (the kubectl plugin).
//
//go:embed config.yaml
var Config []byte
