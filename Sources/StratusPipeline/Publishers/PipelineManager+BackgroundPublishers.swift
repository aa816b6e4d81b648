extension PipelineManager {
    /// The running publishers that deliver in the background (`gnocchi://`), every sink's, in
    /// sink order; a publisher shared by several sinks is listed once.
    public func backgroundPublishers() -> [any BackgroundPublisher] {
        var found: [any BackgroundPublisher] = []
        var seen: Set<ObjectIdentifier> = []
        for sink in definition.sinks {
            for (_, publisher) in publishers(ofSink: sink.name) {
                guard let background = publisher as? any BackgroundPublisher else { continue }
                if seen.insert(ObjectIdentifier(background as AnyObject)).inserted { found.append(background) }
            }
        }
        return found
    }

    /// Waits until every background publisher has delivered what it holds, at most `timeout` in
    /// all; then closes them. For the owning role's graceful shutdown.
    /// - Returns: false when something was still queued at the deadline (it is logged as lost).
    public func drainAndClosePublishers(timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var delivered = true
        let publishers = backgroundPublishers()
        for publisher in publishers {
            let left = clock.now < deadline ? deadline - clock.now : .zero
            if !(await publisher.waitUntilDelivered(timeout: left)) { delivered = false }
        }
        for publisher in publishers { await publisher.close() }
        return delivered
    }
}
