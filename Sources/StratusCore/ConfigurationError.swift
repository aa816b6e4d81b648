/// Bad configuration: where it is (file and line when known) and why.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The configuration file, as given on the command line; nil for environment variables,
    /// command-line overrides and errors that concern no file.
    public var file: String?
    /// The 1-based line in `file`, when known.
    public var line: Int?
    /// What is wrong, for example `metricd.workers must be an integer, got 'abc'`.
    public var reason: String

    /// Creates an error.
    public init(file: String? = nil, line: Int? = nil, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    /// `file:line: reason`, `file: reason` or `reason`, for example
    /// `stratus.yaml:12: metricd.workers must be an integer, got 'abc'`.
    public var description: String {
        switch (file, line) {
        case let (file?, line?): "\(file):\(line): \(reason)"
        case let (file?, nil): "\(file): \(reason)"
        case let (nil, line?): "line \(line): \(reason)"
        case (nil, nil): reason
        }
    }
}
