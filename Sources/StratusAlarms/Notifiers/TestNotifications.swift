import Foundation
import Synchronization

/// The in-memory target of `test://` actions: every notification sent to one, in order.
public final class TestNotifications: Sendable {
    /// One delivered notification.
    public struct Delivery: Sendable, Hashable {
        /// The action URL.
        public var action: String
        /// What was sent.
        public var notification: AlarmNotification
    }

    private let deliveries = Mutex<[Delivery]>([])

    /// Creates an empty recorder.
    public init() {}

    /// Records a delivery.
    func record(_ action: String, _ notification: AlarmNotification) {
        deliveries.withLock { $0.append(Delivery(action: action, notification: notification)) }
    }

    /// Everything delivered so far.
    public var all: [Delivery] { deliveries.withLock { $0 } }

    /// Forgets what was delivered.
    public func removeAll() { deliveries.withLock { $0.removeAll() } }
}
