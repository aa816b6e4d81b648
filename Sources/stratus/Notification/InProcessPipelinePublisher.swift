import StratusCore
import StratusPipeline
import StratusPolling

/// The polling agent's publisher in `stratus all-in-one`: batches go straight to the pipeline
/// queue of the same process (no HTTP, no signature check), and `publish` returns once every sink
/// had them — as the `notifier://` transport's acknowledgement.
struct InProcessPipelinePublisher: SamplePublisher {
    let queue: PipelineQueue
    let metrics: NotificationMetrics

    func publish(_ messages: [MeterMessage]) async throws {
        var samples: [Sample] = []
        samples.reserveCapacity(messages.count)
        var invalid = 0
        for message in messages {
            if let sample = try? Sample(meterMessage: message) { samples.append(sample) } else { invalid += 1 }
        }
        metrics.update {
            $0.batches += 1
            $0.received += messages.count
            $0.invalid += invalid
            $0.accepted += samples.count
        }
        await queue.submit(samples)
    }
}
