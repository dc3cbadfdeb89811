package metrics

import (
	"maps"
	"slices"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/brewkit/brewkit/builder/serve"
	"github.com/brewkit/brewkit/builder/serve/store"
)

var (
	jobsDesc = prometheus.NewDesc("brewkit_jobs",
		"Jobs of the current plan, by state and arch.", []string{"state", "arch"}, nil)
	workerUpDesc = prometheus.NewDesc("brewkit_worker_up",
		"1 if the worker is up, 0 if not, for each arch it builds.", []string{"worker", "arch"}, nil)
	// A gauge of its own rather than a state label on brewkit_worker_up:
	// that one stays the 0/1 every "up" alert expects, and this one tells
	// a worker someone must fix (its certificate, the workers file) from
	// one that is merely down and probed until it answers.
	workerUnusableDesc = prometheus.NewDesc("brewkit_worker_unusable",
		"1 if the worker is out of service for a configuration error (such as its TLS certificate), 0 if not, for each arch it builds.",
		[]string{"worker", "arch"}, nil)
)

// scrape collects the gauges read at each scrape: the jobs by state and
// arch from the store, the workers' health from the engine.
type scrape struct {
	jobs    JobCounter
	workers HealthReporter
}

var _ prometheus.Collector = (*scrape)(nil)

func (s *scrape) Describe(ch chan<- *prometheus.Desc) {
	ch <- jobsDesc
	ch <- workerUpDesc
	ch <- workerUnusableDesc
}

func (s *scrape) Collect(ch chan<- prometheus.Metric) {
	arches := map[string]bool{}
	for _, h := range s.workers.Health() {
		up, unusable := gauge(h.Up), gauge(h.Unusable)
		for _, a := range h.Arches {
			arches[a] = true
			ch <- prometheus.MustNewConstMetric(workerUpDesc, prometheus.GaugeValue, up, h.Name, a)
			ch <- prometheus.MustNewConstMetric(workerUnusableDesc, prometheus.GaugeValue, unusable, h.Name, a)
		}
	}
	counts, err := s.jobs.CountByStateArch()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(jobsDesc, err)
		return
	}
	for k := range counts {
		arches[k.Arch] = true
	}
	for _, a := range slices.Sorted(maps.Keys(arches)) {
		for _, state := range serve.States() {
			n := counts[store.StateArch{State: state, Arch: a}]
			ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(n), state, a)
		}
	}
}

// gauge is 1 for true, 0 for false.
func gauge(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
