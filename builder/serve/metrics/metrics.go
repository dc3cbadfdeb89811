package metrics

import (
	"errors"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/brewkit/brewkit/builder/serve"
	"github.com/brewkit/brewkit/builder/serve/store"
	"github.com/brewkit/brewkit/scheduler"
)

// JobCounter counts the daemon's jobs at each scrape: its *store.Store.
type JobCounter interface {
	CountByStateArch() (map[store.StateArch]int, error)
}

// HealthReporter tells the workers' health at each scrape: the daemon's
// *engine.Engine.
type HealthReporter interface {
	Health() []scheduler.WorkerHealth
}

// Options are what [New] reads from.
type Options struct {
	Jobs    JobCounter     // required
	Workers HealthReporter // required
	// Registry is where the metrics are registered, and what Handler
	// serves; nil means a new one, with Go's and the process's
	// collectors.
	Registry *prometheus.Registry
}

// Metrics are the daemon's metrics. Observe them the daemon's events;
// serve them with Handler.
type Metrics struct {
	reg        *prometheus.Registry
	queueWait  *prometheus.HistogramVec
	build      *prometheus.HistogramVec
	failed     *prometheus.CounterVec
	indexes    *prometheus.CounterVec
	retries    prometheus.Counter
	syncTime   prometheus.Histogram
	syncFailed prometheus.Counter
	lastSync   prometheus.Gauge
}

// Buckets of the histograms, in seconds: a queue wait is from a moment
// to hours, a build from seconds to the job timeout (3h by default), a
// sync from a fraction of a second to minutes (a clone).
var (
	queueBuckets = []float64{0.1, 0.5, 1, 5, 15, 30, 60, 300, 900, 1800, 3600, 7200, 14400}
	buildBuckets = []float64{1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 10800, 21600}
	syncBuckets  = []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300}
)

// New registers the daemon's metrics on o.Registry.
func New(o Options) (*Metrics, error) {
	if o.Jobs == nil || o.Workers == nil {
		return nil, errors.New("metrics: Jobs and Workers are required")
	}
	reg := o.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	m := &Metrics{
		reg: reg,
		queueWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "brewkit_job_queue_wait_seconds",
			Help: "How long a job waited for a worker slot, from queued to started.", Buckets: queueBuckets}, []string{"arch"}),
		build: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "brewkit_job_build_duration_seconds",
			Help: "How long a build took, from started to ended (built or failed; not found staged).", Buckets: buildBuckets}, []string{"arch"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "brewkit_job_attempts_failed_total",
			Help: "Builds that failed (not those held back by their backoff)."}, []string{"arch"}),
		indexes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "brewkit_publish_indexes_total",
			Help: "Indexes published, by action: written, up_to_date, blocked, failed."}, []string{"action"}),
		retries: prometheus.NewCounter(prometheus.CounterOpts{Name: "brewkit_registry_retries_total",
			Help: "Registry requests of a publish sent again (429, 5xx, network errors)."}),
		syncTime: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "brewkit_sync_duration_seconds",
			Help: "How long a sync took: the poll of the source, and the planning of a new commit.", Buckets: syncBuckets}),
		syncFailed: prometheus.NewCounter(prometheus.CounterOpts{Name: "brewkit_sync_failures_total",
			Help: "Syncs that failed."}),
		lastSync: prometheus.NewGauge(prometheus.GaugeOpts{Name: "brewkit_last_successful_sync_timestamp_seconds",
			Help: "When the last sync that did not fail ended, in Unix seconds."}),
	}
	for _, a := range []string{"written", "up_to_date", "blocked", "failed"} {
		m.indexes.WithLabelValues(a) // every action from the start, at 0
	}
	cs := []prometheus.Collector{m.queueWait, m.build, m.failed, m.indexes, m.retries, m.syncTime, m.syncFailed, m.lastSync,
		&scrape{jobs: o.Jobs, workers: o.Workers}}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Handler serves the metrics of the registry, in Prometheus's text (or
// OpenMetrics) format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Observe counts ev. It never blocks: give it to serve.Options.Observe.
func (m *Metrics) Observe(ev serve.Event) {
	j := ev.Job
	switch ev.Kind {
	case serve.JobStarted:
		if !j.Queued.IsZero() && !j.Start.Before(j.Queued) {
			m.queueWait.WithLabelValues(j.Arch).Observe(j.Start.Sub(j.Queued).Seconds())
		}
	case serve.JobEnded:
		m.jobEnded(ev)
	case serve.Synced:
		m.syncTime.Observe(ev.Took.Seconds())
		if ev.Err != nil {
			m.syncFailed.Inc()
		} else {
			m.lastSync.Set(float64(ev.Time.UnixNano()) / 1e9)
		}
	case serve.Published:
		for action, n := range ev.Indexes {
			m.indexes.WithLabelValues(strings.ReplaceAll(action, " ", "_")).Add(float64(n))
		}
		m.retries.Add(float64(ev.Retries))
	}
}

// jobEnded counts a job that ended: a build's time, a failure.
func (m *Metrics) jobEnded(ev serve.Event) {
	j := ev.Job
	if ev.Outcome != "built" && ev.Outcome != "failed" {
		return // found staged, skipped, cancelled, held back
	}
	if !j.Start.IsZero() && !j.End.Before(j.Start) {
		m.build.WithLabelValues(j.Arch).Observe(j.End.Sub(j.Start).Seconds())
	}
	if ev.Outcome == "failed" && j.State == serve.StateFailed {
		m.failed.WithLabelValues(j.Arch).Inc()
	}
}
