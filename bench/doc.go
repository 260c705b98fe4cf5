// Package bench holds the load and latency benchmarks of caracal-bot. They
// run against the built-in Caracal simulator over loopback and report their
// figures as custom benchmark metrics; docs/BENCHMARKS.md records them.
package bench
