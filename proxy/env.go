package proxy

import "os"

func envValue(name string) string { return os.Getenv(name) }
