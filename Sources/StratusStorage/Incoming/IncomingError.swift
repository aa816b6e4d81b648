/// An error of an incoming driver: what went wrong, in words, and the file or directory concerned.
public struct IncomingError: Error, Sendable, CustomStringConvertible {
    /// The kind of error.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case notInitialized, invalidConfiguration, invalidSackCount, backlogNotEmpty
            case invalidMeasures, invalidSack, io
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The incoming storage has not been initialized (`stratus upgrade` was never run).
        public static let notInitialized = Code(.notInitialized)
        /// The stored configuration (the number of sacks) is unreadable.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// A number of sacks outside 1...65535.
        public static let invalidSackCount = Code(.invalidSackCount)
        /// Changing the number of sacks is refused while measures are waiting.
        public static let backlogNotEmpty = Code(.backlogNotEmpty)
        /// Measures whose timestamps and values differ in count.
        public static let invalidMeasures = Code(.invalidMeasures)
        /// A sack number outside the sacks of the storage.
        public static let invalidSack = Code(.invalidSack)
        /// A file system operation failed.
        public static let io = Code(.io)

        public var description: String { self.base.rawValue }
    }

    /// The kind of error.
    public var code: Code
    /// What happened, for a person.
    public var message: String
    /// The file or directory concerned, if any.
    public var path: String?

    /// Creates an error.
    public init(code: Code, message: String, path: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
    }

    public var description: String {
        if let path { "\(self.message) (\(path))" } else { self.message }
    }
}
