// api answers GET / with a summary of the catalog it reads from $CATALOG_URL.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

type item struct {
	SKU   string  `json:"sku"`
	Name  string  `json:"name"`
	Price float64 `json:"price"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	catalog := os.Getenv("CATALOG_URL")
	client := &http.Client{Timeout: 2 * time.Second}

	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		resp, err := client.Get(catalog + "/items")
		if err != nil {
			http.Error(w, "catalog unreachable: "+err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		var items []item
		if err := json.NewDecoder(resp.Body).Decode(&items); err != nil {
			http.Error(w, "bad catalog answer: "+err.Error(), http.StatusBadGateway)
			return
		}
		total := 0.0
		for _, it := range items {
			total += it.Price
		}
		fmt.Fprintf(w, "shop api: %d items in the catalog, %.2f in total\n", len(items), total)
	})
	server := &http.Server{Addr: *addr, Handler: mux}
	go func() {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
		<-stop
		log.Print("api: shutting down")
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		server.Shutdown(ctx)
	}()
	log.Printf("api: listening on http://%s (catalog at %s)", *addr, catalog)
	if err := server.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
