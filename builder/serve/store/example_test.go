package store_test

import (
	"fmt"
	"log"
	"os"
	"time"

	"github.com/brewkit/brewkit/builder/serve/store"
)

func Example() {
	stateDir, err := os.MkdirTemp("", "brewkit-state")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(stateDir)

	st, err := store.Open(stateDir)
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()

	amd64 := store.Job{ID: "3b1c/amd64", Repo: "debian", Arch: "amd64", State: "queued"}
	arm64 := store.Job{ID: "3b1c/arm64v8", Repo: "debian", Arch: "arm64v8", State: "queued"}
	if err := st.PutJobs(amd64, arm64); err != nil {
		log.Fatal(err)
	}
	amd64.State, amd64.Worker, amd64.Start = "running", "amd-1", time.Now()
	if err := st.PutJobs(amd64); err != nil {
		log.Fatal(err)
	}

	queued, err := st.Jobs(store.JobFilter{State: "queued"})
	if err != nil {
		log.Fatal(err)
	}
	for _, job := range queued {
		fmt.Println("queued:", job.ID)
	}
	counts, err := st.CountByState()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(counts)
	// Output:
	// queued: 3b1c/arm64v8
	// map[queued:1 running:1]
}

func ExampleSchedule() {
	schedule := store.DefaultSchedule()
	failed := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for count := 1; count <= 3; count++ {
		fmt.Printf("after %d failures: %s\n", count, schedule.Next(count, failed).Format(time.Kitchen))
	}
	fmt.Println("for a test:", schedule.Scale(1.0/3600))
	// Output:
	// after 1 failures: 12:00PM
	// after 2 failures: 1:00PM
	// after 3 failures: 2:00PM
	// for a test: 0,0,1s,2s,4s,8s,16s,32s
}

func ExampleParseSchedule() {
	schedule, err := store.ParseSchedule("0,10m,1h")
	if err != nil {
		log.Fatal(err)
	}
	for _, count := range []int{1, 2, 10} {
		fmt.Printf("after %d failures: wait %v\n", count, schedule.Delay(count))
	}
	// Output:
	// after 1 failures: wait 10m0s
	// after 2 failures: wait 1h0m0s
	// after 10 failures: wait 1h0m0s
}
