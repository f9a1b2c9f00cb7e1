package corpus

// Planted is the byte span [Start, End) of one planted secret in a generated document
// and its kind (one of Kinds()). The span covers the secret value only, as raw bytes:
// inside a JSON string it covers the escaped form.
type Planted struct {
	Start, End int
	Kind       string
}

// Doc is one generated document. Format is "text", "json" or "jsonl".
type Doc struct {
	Name    string
	Format  string
	Data    []byte
	Planted []Planted
}
