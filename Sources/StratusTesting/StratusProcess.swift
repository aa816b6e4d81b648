import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The built `stratus` binary running as a child process, for end-to-end tests.
///
/// Standard error goes to a temporary file (standard output too, interleaved), readable at any time with
/// ``standardError``. The process is killed (SIGKILL) and reaped, and its log removed, by ``cleanUp()``, by
/// ``with(_:environment:_:)`` and, as a last resort, when the value is released.
///
/// The child is started with `posix_spawn` (``ChildProcess``), not Foundation's `Process`, whose `run()`
/// crashed now and then under the test runner.
public final class StratusProcess: Sendable {
    /// A failure to find or start the binary.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// How the process ended.
    public struct Exit: Sendable, Equatable, CustomStringConvertible {
        /// The exit code, or the signal number when ``signaled``.
        public var status: Int32
        /// Whether a signal ended the process.
        public var signaled: Bool

        public init(status: Int32, signaled: Bool) {
            self.status = status
            self.signaled = signaled
        }

        /// A normal exit with `code`.
        public static func exited(_ code: Int32) -> Exit { Exit(status: code, signaled: false) }
        /// An end by `signal`.
        public static func killed(by signal: Int32) -> Exit { Exit(status: signal, signaled: true) }

        public var description: String { signaled ? "killed by signal \(status)" : "exit code \(status)" }
    }

    /// The arguments the binary was started with.
    public let arguments: [String]
    /// The file receiving the process's standard error and output.
    public let logPath: String
    private let child: ChildProcess
    private let state = Mutex<(cleaned: Bool, exit: Exit?)>((false, nil))

    /// The process id.
    public var processIdentifier: Int32 { child.pid }

    /// Starts `stratus` with `arguments`.
    /// - Parameter environment: extra variables; the child inherits this process's environment without
    ///   any `STRATUS_*` variable (so that a developer's settings do not leak into the tests).
    /// - Throws: ``Failure`` when the binary cannot be found or started.
    public init(_ arguments: [String], environment: [String: String] = [:]) throws {
        let binary = try Self.binaryURL()
        self.arguments = arguments
        logPath = NSTemporaryDirectory() + "/stratus-process-\(UUID().uuidString.lowercased()).log"
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else {
            throw Failure(description: "cannot create the process log \(logPath)")
        }
        var inherited = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("STRATUS_") }
        inherited.merge(environment) { $1 }
        do {
            child = try ChildProcess.spawn(executable: binary.path, arguments: arguments, environment: inherited, output: logPath)
        } catch {
            try? FileManager.default.removeItem(atPath: logPath)
            throw Failure(description: "cannot start \(binary.path): \(error)")
        }
    }

    deinit {
        if child.isRunning {
            child.send(SIGKILL)
            _ = child.waitBlocking()
        }
        try? FileManager.default.removeItem(atPath: logPath)
    }

    /// Runs `stratus` with `arguments` to completion (killing it after `timeout`).
    /// - Returns: the exit and everything it wrote.
    public static func run(
        _ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(60)
    ) async throws -> (exit: Exit, output: String) {
        let process = try StratusProcess(arguments, environment: environment)
        defer { process.cleanUpNow() }
        guard let exit = await process.waitUntilExit(timeout: timeout) else {
            throw Failure(description: "stratus \(arguments.joined(separator: " ")) did not exit within \(timeout); output:\n\(process.standardError)")
        }
        return (exit, process.standardError)
    }

    /// Starts `stratus`, runs `body` with it, then kills and reaps it whatever happens.
    public static func with<T>(
        _ arguments: [String],
        environment: [String: String] = [:],
        isolation: isolated (any Actor)? = #isolation,
        _ body: (StratusProcess) async throws -> T
    ) async throws -> T {
        let process = try StratusProcess(arguments, environment: environment)
        do {
            let result = try await body(process)
            await process.cleanUp()
            return result
        } catch {
            await process.cleanUp()
            throw error
        }
    }

    /// Everything the process wrote to standard error (and output) so far.
    public var standardError: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// Whether the process is still running.
    public var isRunning: Bool { child.isRunning }

    /// Asks the process to stop gracefully (SIGTERM).
    public func terminate() { child.send(SIGTERM) }

    /// Kills the process at once (SIGKILL), as a crash or power loss would stop it.
    public func kill() { child.send(SIGKILL) }

    /// Waits until the process exits.
    /// - Returns: how it exited, or nil if it was still running after `timeout`.
    public func waitUntilExit(timeout: Duration) async -> Exit? {
        guard let exit = await child.wait(timeout: timeout) else { return nil }
        state.withLock { $0.exit = exit }
        return exit
    }

    /// Kills the process if it still runs, waits for it, and removes its log.
    public func cleanUp() async {
        if child.isRunning {
            kill()
            _ = await waitUntilExit(timeout: .seconds(30))
        }
        removeLog()
    }

    private func cleanUpNow() {
        if child.isRunning {
            kill()
            _ = child.waitBlocking()
        }
        removeLog()
    }

    private func removeLog() {
        let first = state.withLock { state in
            defer { state.cleaned = true }
            return !state.cleaned
        }
        if first { try? FileManager.default.removeItem(atPath: logPath) }
    }

    /// The `stratus` binary: `$STRATUS_BINARY`, else the first `stratus` executable found walking up from
    /// the test executable's directory (`.build/<triple>/debug/stratus` sits beside the test bundle), also
    /// looking in `.build/debug/`.
    /// - Throws: ``Failure`` when there is none (build it with `swift build --build-tests`).
    public static func binaryURL() throws -> URL {
        let fileManager = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment["STRATUS_BINARY"], !explicit.isEmpty {
            guard fileManager.isExecutableFile(atPath: explicit) else {
                throw Failure(description: "STRATUS_BINARY=\(explicit) is not an executable file")
            }
            return URL(fileURLWithPath: explicit)
        }
        var starts = [URL]()
        if let executable = Bundle.main.executableURL { starts.append(executable) }
        starts.append(URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL)
        starts.append(Bundle.main.bundleURL)
        for start in starts {
            var directory = start.resolvingSymlinksInPath().deletingLastPathComponent()
            while directory.path != "/" && !directory.path.isEmpty {
                for candidate in [directory.appendingPathComponent("stratus"), directory.appendingPathComponent("debug/stratus")] {
                    var isDirectory: ObjCBool = false
                    if fileManager.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                       fileManager.isExecutableFile(atPath: candidate.path) {
                        return candidate
                    }
                }
                directory = directory.deletingLastPathComponent()
            }
        }
        throw Failure(description: "cannot find the stratus binary near \(CommandLine.arguments[0]): run `swift build --build-tests` or set STRATUS_BINARY")
    }
}

extension StratusProcess {
    /// The API endpoint (`http://127.0.0.1:PORT`) a `stratus all-in-one` prints once it listens; nil when the
    /// process exits or `timeout` passes first.
    public func apiEndpoint(timeout: Duration = .seconds(60)) async throws -> String? {
        let deadline = ContinuousClock.now + timeout
        while isRunning, ContinuousClock.now < deadline {
            let output = standardError
            if let range = output.range(of: #"listening on (http://[0-9.]+:[0-9]+)/"#, options: .regularExpression) {
                return String(output[range].dropFirst("listening on ".count).dropLast())
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }
}
