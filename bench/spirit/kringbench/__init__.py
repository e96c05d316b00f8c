"""Settings and a small app for the Spirit peer benchmark (see bench/spirit/setup.sh)."""
