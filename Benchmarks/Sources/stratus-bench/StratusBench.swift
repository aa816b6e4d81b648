import Foundation

/// `stratus-bench <carbonara|codec|e2e|compute|aggregates> [--option value …]`: the figures of docs/performance.md.
@main
enum StratusBench {
    static let usage = """
        usage: stratus-bench <subcommand> [options]
          carbonara  [--points 10000000] [--runs 5] [--process-points 1000000] [--metricd-metrics 1000]
          codec      [--points 3600] [--runs 5] [--points-per-run 20000000]
          e2e        [--metrics 1000] [--measures 1000] [--sacks 128] [--workers 2] [--writers 8]
                     [--dir TMPDIR] [--keep true] [--breakdown false]
                     [--profile metricd|ingest --perf-control CTL_FIFO --perf-ack ACK_FIFO]
          compute    [--domains 100] [--cycles 1000] [--write-node FILE: only write the node file]
          aggregates [--metrics 100] [--points 1440] [--runs 20]
          pipeline   --url http://127.0.0.1:8041 [--pipeline ../pipeline.yaml] [--instances 1000] [--samples 700000] [--batch 50] [--senders 4] [--user admin] [--metadata interned|fresh]
          transport  [--samples 200000] [--batch 50] [--senders 4]
        """

    static func main() async {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2 else {
            print(usage)
            exit(2)
        }
        let rest = arguments.dropFirst(2)
        do {
            switch arguments[1] {
            case "carbonara":
                try CarbonaraBenchmark.run(Options(rest, known: ["points", "runs", "process-points", "metricd-metrics"]))
            case "codec":
                try CodecBenchmark.run(Options(rest, known: ["points", "runs", "points-per-run"]))
            case "e2e":
                try await EndToEndBenchmark.run(Options(
                    rest, known: ["metrics", "measures", "sacks", "workers", "writers", "dir", "keep", "breakdown",
                            "profile", "perf-control", "perf-ack"]))
            case "compute":
                try await ComputeBenchmark.run(Options(rest, known: ["domains", "cycles", "write-node"]))
            case "transport":
                try await TransportBenchmark.run(Options(rest, known: ["samples", "batch", "senders"]))
            case "pipeline":
                try await PipelineBenchmark.run(Options(rest, known: ["url", "pipeline", "instances", "samples", "batch", "user", "senders", "metadata"]))
            case "aggregates":
                try AggregatesBenchmark.run(Options(rest, known: ["metrics", "points", "runs"]))
            case "-h", "--help", "help":
                print(usage)
            default:
                FileHandle.standardError.write(Data("unknown subcommand '\(arguments[1])'\n\(usage)\n".utf8))
                exit(2)
            }
        } catch {
            FileHandle.standardError.write(Data("stratus-bench: \(error)\n".utf8))
            exit(1)
        }
        if blackHole == 42 { print("") }  // keeps the sinks observable
    }
}
