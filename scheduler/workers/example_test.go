package workers_test

import (
	"fmt"

	"github.com/brewkit/brewkit/scheduler/workers"
)

func ExampleParseFlag() {
	w, err := workers.ParseFlag("amd64,i386=tcp://127.0.0.1:1234")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(w.Name, w.Address, w.Arches, w.Slots())
	// Output: amd64+i386 tcp://127.0.0.1:1234 [amd64 i386] 2
}

func ExampleValidate() {
	err := workers.Validate([]workers.Worker{
		{Name: "big", Address: "unix://bk.sock", Arches: []string{"amd64"}, Concurrency: -1},
	})
	fmt.Println(err)
	// Output:
	// worker "big": address "unix://bk.sock": socket path "bk.sock" is not absolute; want unix:///ABSOLUTE/PATH (three slashes)
	// worker "big": concurrency -1 is negative; want 0 (the default, 2) or more
}
