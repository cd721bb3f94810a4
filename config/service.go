package config

// Service maps a type onto the routes of a legacy HTTP service. Its fields
// are owned by the upstream adapter (see adapters/upstream).
type Service struct{}
