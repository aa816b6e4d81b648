import Carbonara
import Foundation
import StratusIndex
import StratusStorage
import StratusTesting
import Testing

@Suite("Sack processing: a sack that cannot be processed")
struct SackProcessorFailureTests {
    typealias D = SackTestData

    @Test func aFailingSackDoesNotStopTheOthers() async throws {
        try await TimeSeriesCoreFixture.with(sacks: 8) { fixture in
            let policy = try D.countingPolicy()
            var metrics = [Metric]()
            for sack in 0..<8 {
                let metric = try await fixture.createMetric(policy: policy, id: fixture.metricId(inSack: sack))
                try await D.postSeconds(fixture, metric.id, from: 0, count: 4)
                metrics.append(metric)
            }
            // Sack 2's pack cannot be read: a directory stands where the file should be.
            try FileManager.default.createDirectory(atPath: fixture.packPath(sack: 2), withIntermediateDirectories: false)
            let failure = await #expect(throws: (any Error).self) { _ = try await fixture.processor.process(sack: 2) }
            #expect(failure != nil)

            _ = try? await fixture.drain(workers: 2)
            _ = try? await fixture.drain(workers: 2)
            var unprocessed = [Int]()
            for (sack, metric) in metrics.enumerated() where sack != 2 {
                if try await D.countTotal(fixture, metric, policy) != 4 { unprocessed.append(sack) }
            }
            #expect(unprocessed == [], "sacks never processed")
            
        }
    }
}
