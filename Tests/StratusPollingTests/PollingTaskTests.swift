import StratusCore
import StratusPolling
import Synchronization
import Testing

@Suite struct PollingTaskTests {
    let resources: [PollingResource] = (1...3).map { .host("h\($0)") }

    private func task(
        _ entries: [PollingTask.Entry], discoverers: [String: any Discoverer], settings: PollingTaskSettings
    ) -> PollingTask {
        PollingTask(interval: 60, entries: entries, discoverers: discoverers, settings: settings)
    }

    @Test func pollsDefaultDiscoveryAndPublishesSignedMessagesWithThePollTimestamp() async {
        let publisher = RecordingPublisher()
        let pollster = FakePollster("m1", samplesPerResource: 2)
        let polling = task(
            [.init(source: source("s", meters: ["*"]), pollsters: [pollster])],
            discoverers: ["fake": FakeDiscoverer(resources)], settings: settings(publisher: publisher))
        let report = await polling.pollAndPublish()
        #expect(report.samples == ["m1": 6])
        #expect(pollster.polled == [resources])
        let messages = publisher.messages
        #expect(messages.count == 6)
        #expect(Set(messages.compactMap { $0.fields["timestamp"]?.stringValue }) == ["2025-11-25T14:40:11.123456"])
        #expect(messages.allSatisfy { $0.verifySignature(secret: "secret") })
    }

    @Test func staticResourcesAndSourceDiscoveryReplaceDefaultDiscovery() async {
        let publisher = RecordingPublisher()
        let pollster = FakePollster("m1")
        let fallback = FakeDiscoverer(resources)
        let named = FakeDiscoverer([.host("other")])
        let polling = task(
            [.init(source: source("s", meters: ["m1"], resources: ["snmp://a"], discovery: ["named://x"]), pollsters: [pollster])],
            discoverers: ["fake": fallback, "named": named], settings: settings(publisher: publisher))
        await polling.pollAndPublish()
        #expect(pollster.polled == [[.staticURI("snmp://a"), .host("other")]])
        #expect(fallback.calls == 0)
    }

    @Test func aResourceIsPolledOncePerPollsterPerCycleAndDiscoveryIsCached() async {
        let publisher = RecordingPublisher()
        let pollster = FakePollster("m1")
        let discoverer = FakeDiscoverer(resources)
        let polling = task(
            [
                .init(source: source("a", meters: ["*"]), pollsters: [pollster]),
                .init(source: source("b", meters: ["m1"]), pollsters: [pollster]),
            ],
            discoverers: ["fake": discoverer], settings: settings(publisher: publisher))
        let report = await polling.pollAndPublish()
        #expect(pollster.polled == [resources])
        #expect(report.skipped == 1)
        #expect(discoverer.calls == 1)
        // A new cycle polls them again.
        await polling.pollAndPublish()
        #expect(pollster.polled.count == 2)
    }

    @Test func permanentErrorBlacklistsResourcesForThatSourceOnly() async {
        let publisher = RecordingPublisher()
        let bad = PollingResource.host("h2")
        let pollster = FakePollster("m1") { resources in
            resources.contains(bad) ? PollsterPermanentError(resources: [bad]) : nil
        }
        let polling = task(
            [.init(source: source("s", meters: ["*"]), pollsters: [pollster])],
            discoverers: ["fake": FakeDiscoverer(resources)], settings: settings(publisher: publisher))
        let first = await polling.pollAndPublish()
        #expect(first.pollsterErrors == 1)
        #expect(await polling.blacklisted(source: "s", meter: "m1") == [bad])
        let second = await polling.pollAndPublish()
        #expect(second.pollsterErrors == 0)
        #expect(pollster.polled.last == [.host("h1"), .host("h3")])
        #expect(second.samples == ["m1": 2])
    }

    @Test func aFailingPollsterIsCountedAndTheOthersGoOn() async {
        let publisher = RecordingPublisher()
        let metrics = PollingMetrics()
        let failing = FakePollster("bad") { _ in FakeError() }
        let good = FakePollster("good")
        let polling = task(
            [.init(source: source("s", meters: ["*"]), pollsters: [failing, good])],
            discoverers: ["fake": FakeDiscoverer(resources)], settings: settings(publisher: publisher, metrics: metrics))
        let report = await polling.pollAndPublish()
        #expect(report.pollsterErrors == 1)
        #expect(report.samples == ["good": 3])
        #expect(metrics.errors(meter: "bad", kind: "pollster") == 1)
        #expect(metrics.samples(meter: "good") == 3)
        #expect(metrics.render().contains("stratus_polling_errors_total{meter=\"bad\",kind=\"pollster\"} 1"))
        // A failing pollster is retried next cycle (not blacklisted).
        await polling.pollAndPublish()
        #expect(failing.polled.count == 2)
    }

    @Test(arguments: [(50, 120, [50, 50, 20]), (0, 3, [1, 1, 1]), (10, 10, [10]), (1, 2, [1, 1])])
    func batchesByBatchSize(batchSize: Int, samples: Int, expected: [Int]) async {
        let publisher = RecordingPublisher()
        let polling = task(
            [.init(source: source("s", meters: ["*"]), pollsters: [FakePollster("m", samplesPerResource: samples)])],
            discoverers: ["fake": FakeDiscoverer([.host("h")])], settings: settings(publisher: publisher, batchSize: batchSize))
        let report = await polling.pollAndPublish()
        #expect(publisher.batches.map(\.count) == expected)
        #expect(report.batches == expected.count)
        #expect(report.messages == samples)
    }

    @Test func unknownDiscoveryIsReportedAndPollsNothing() async {
        let publisher = RecordingPublisher()
        let pollster = FakePollster("m1", defaultDiscovery: "missing")
        let polling = task(
            [.init(source: source("s", meters: ["*"]), pollsters: [pollster])], discoverers: [:],
            settings: settings(publisher: publisher))
        let report = await polling.pollAndPublish()
        #expect(report.discoveryErrors == 1)
        #expect(pollster.polled.isEmpty)
    }

    @Test func pollContextCacheIsSharedByPollstersOfOneCycle() async throws {
        struct CountingPollster: Pollster {
            let meterName: String
            let defaultDiscovery: String? = "fake"
            let counter: FakeDiscoverer
            func poll(resources: [PollingResource], context: PollContext) async throws -> [Sample] {
                let value: Int = try await context.cache.value("bulk") {
                    _ = try await counter.discover(parameter: nil, context: context)
                    return 42
                }
                return [Sample(name: meterName, type: .gauge, unit: "x", volume: .int(Int64(value)), resourceID: "r")]
            }
        }
        let counter = FakeDiscoverer([])
        let publisher = RecordingPublisher()
        let polling = task(
            [.init(source: source("s", meters: ["*"]), pollsters: [
                CountingPollster(meterName: "a", counter: counter), CountingPollster(meterName: "b", counter: counter),
            ])],
            discoverers: ["fake": FakeDiscoverer([.host("h")])], settings: settings(publisher: publisher))
        await polling.pollAndPublish()
        #expect(counter.calls == 1)
        await polling.pollAndPublish()
        #expect(counter.calls == 2)
    }

    @Test(.timeLimit(.minutes(1)))
    func threadsToProcessPollstersZeroRunsPollstersOfASourceAtOnce() async {
        final class Rendezvous: Sendable {
            let started = Mutex(0)
        }
        struct WaitingPollster: Pollster {
            let meterName: String
            let defaultDiscovery: String? = "fake"
            let rendezvous: Rendezvous
            func poll(resources: [PollingResource], context: PollContext) async throws -> [Sample] {
                rendezvous.started.withLock { $0 += 1 }
                for _ in 0..<200 where rendezvous.started.withLock({ $0 }) < 2 {
                    try await Task.sleep(for: .milliseconds(10))
                }
                let together = rendezvous.started.withLock { $0 } >= 2
                return together ? [Sample(name: meterName, type: .gauge, unit: "x", volume: 1, resourceID: "r")] : []
            }
        }
        let rendezvous = Rendezvous()
        let publisher = RecordingPublisher()
        var parallel = settings(publisher: publisher)
        parallel.threadsToProcessPollsters = 0
        let polling = task(
            [.init(source: source("s", meters: ["*"]), pollsters: [
                WaitingPollster(meterName: "a", rendezvous: rendezvous), WaitingPollster(meterName: "b", rendezvous: rendezvous),
            ])],
            discoverers: ["fake": FakeDiscoverer([.host("h")])], settings: parallel)
        let report = await polling.pollAndPublish()
        #expect(report.samples == ["a": 1, "b": 1])
    }
}
