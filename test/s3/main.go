// An S3-compatible server on 127.0.0.1 for the tests (gofakes3's in-memory backend): Tempo 2.2.2's `s3` storage
// block, as the article-minio overlay writes it, is pointed at it to show that a trace is still found once the
// ingester has flushed it and is gone. Built by test/setup/ensure-s3.sh into dist/s3-server.
package main

import (
	"flag"
	"log"
	"net/http"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

func main() {
	addr := flag.String("listen", "127.0.0.1:0", "address to listen on (127.0.0.1 only in the tests)")
	bucket := flag.String("bucket", "", "a bucket to create at start (MinIO's post-install job does this in the lab)")
	flag.Parse()
	backend := s3mem.New()
	if *bucket != "" {
		if err := backend.CreateBucket(*bucket); err != nil {
			log.Fatal(err)
		}
	}
	log.Printf("listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, gofakes3.New(backend).Server()))
}
