package vault_test

import (
	"fmt"

	"github.com/scrubgate/scrubgate/vault"
)

func ExampleKeys_Mint() {
	keys, err := vault.DeriveKeys([]byte("a long example master key"))
	if err != nil {
		panic(err)
	}
	h := keys.Mint("tenant-a", "github-token", []byte("ghp_not-a-real-token"))
	fmt.Println(h)
	// the same secret in the same tenant always gets the same handle
	fmt.Println(keys.Mint("tenant-a", "github-token", []byte("ghp_not-a-real-token")) == h)
	// Output:
	// [[scrub:github-token:8XA8K59RXH]]
	// true
}

func ExampleParse() {
	h, err := vault.Parse("[[scrub:github-token:7QK2M4XH9P]]")
	fmt.Println(h.Kind, h.ID, err)
	_, err = vault.Parse("ghp_not-a-handle")
	fmt.Println(err)
	// Output:
	// github-token 7QK2M4XH9P <nil>
	// vault: not a scrubgate handle
}
