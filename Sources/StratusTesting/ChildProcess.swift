import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A child process started with `posix_spawn`, for the end-to-end tests.
///
/// Foundation's `Process.run()` crashed inside Foundation (a `memcpy` past a page, a segfault) in
/// about one full test run of six, even with launches serialised; `posix_spawn` is one system call
/// with nothing shared. Standard input is `/dev/null`; standard output and error go to files (no
/// pipes that could fill up); the child gets default signal dispositions and an empty signal mask;
/// descriptors other than 0, 1 and 2 are closed in the child.
public final class ChildProcess: Sendable {
    /// A child that could not be started.
    public struct SpawnError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The process id.
    public let pid: pid_t
    private let status = Mutex<StratusProcess.Exit?>(nil)

    private init(pid: pid_t) {
        self.pid = pid
    }

    /// Starts `executable` with `arguments` and exactly `environment`.
    /// - Parameters:
    ///   - output: the file standard output is appended to (created if needed).
    ///   - error: the file standard error is appended to; nil: the same as `output`.
    /// - Throws: ``SpawnError`` naming the executable and the system's reason.
    public static func spawn(
        executable: String, arguments: [String], environment: [String: String], output: String, error: String? = nil
    ) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let mode = mode_t(0o644)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, mode)
        if let error {
            posix_spawn_file_actions_addopen(&actions, 2, error, O_WRONLY | O_CREAT | O_APPEND, mode)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 3) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid = pid_t()
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw SpawnError(description: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        return ChildProcess(pid: pid)
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), looked up at run time because the
    /// Glibc module does not export it; nil elsewhere (descriptors are then inherited unless close-on-exec).
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    /// The exit, once the child has been reaped (checks without blocking).
    public var exit: StratusProcess.Exit? {
        status.withLock { status in
            if let status { return status }
            var raw: Int32 = 0
            let reaped = waitpid(pid, &raw, WNOHANG)
            guard reaped == pid else {
                // ECHILD: someone else reaped it; report an unknown exit rather than "running" forever.
                if reaped < 0 && errno == ECHILD { status = StratusProcess.Exit(status: -1, signaled: false) }
                return status
            }
            status = Self.decode(raw)
            return status
        }
    }

    /// Whether the child still runs.
    public var isRunning: Bool { exit == nil }

    /// Sends `signal` to the child (nothing once it has exited).
    public func send(_ signal: Int32) {
        guard isRunning else { return }
        _ = kill(pid, signal)
    }

    /// Waits until the child exits; nil if it still runs after `timeout`.
    public func wait(timeout: Duration) async -> StratusProcess.Exit? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let exit { return exit }
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Waits, blocking the thread, until the child exits.
    public func waitBlocking() -> StratusProcess.Exit {
        while true {
            if let exit { return exit }
            usleep(5_000)
        }
    }

    private static func decode(_ raw: Int32) -> StratusProcess.Exit {
        let signal = raw & 0x7F
        if signal == 0 { return StratusProcess.Exit(status: (raw >> 8) & 0xFF, signaled: false) }
        return StratusProcess.Exit(status: signal, signaled: true)
    }

    /// What a finished command printed.
    public struct Result: Sendable {
        public var exit: StratusProcess.Exit
        public var output: String
        public var error: String
    }

    /// Runs a command to completion with standard output and error apart, killing it after `timeout`.
    /// - Throws: ``SpawnError`` when it cannot start or does not exit in time.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], timeout: Duration = .seconds(120)
    ) async throws -> Result {
        let (outPath, errPath) = temporaryPaths()
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        let child = try spawn(executable: executable, arguments: arguments, environment: environment, output: outPath, error: errPath)
        guard let exit = await child.wait(timeout: timeout) else {
            child.send(SIGKILL)
            _ = child.waitBlocking()
            throw SpawnError(description: "\(executable) \(arguments.joined(separator: " ")) did not exit within \(timeout)")
        }
        return Result(exit: exit, output: read(outPath), error: read(errPath))
    }

    private static func temporaryPaths() -> (String, String) {
        let base = NSTemporaryDirectory() + "/stratus-child-\(UUID().uuidString.lowercased())"
        return (base + ".out", base + ".err")
    }

    private static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}
