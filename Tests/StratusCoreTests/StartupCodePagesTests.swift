import Foundation
import StratusCore
import Testing

@Suite("Start-up code pages")
struct StartupCodePagesTests {
    static let sample = """
        55d0c0a00000-55d0c3b6e000 r-xp 00000000 08:01 1234 /opt/stratus/bin/stratus
        Size:              50616 kB
        Rss:               30084 kB
        Anonymous:             0 kB
        55d0c3b6e000-55d0c3cc0000 r--p 0316d000 08:01 1234 /opt/stratus/bin/stratus
        Size:               1352 kB
        Anonymous:          1352 kB
        55d0c3cc0000-55d0c6300000 rw-p 032bf000 08:01 1234 /opt/stratus/bin/stratus
        Anonymous:          3632 kB
        7f00a0000000-7f00a0100000 r-xp 00000000 08:01 99 /usr/lib/x86_64-linux-gnu/libc.so.6
        Anonymous:             0 kB
        7f00b0000000-7f00b0010000 r-xp 00000000 08:01 1234 /opt/stratus/bin/stratus
        Anonymous:             4 kB
        7f00c0000000-7f00c0021000 rw-p 00000000 00:00 0
        Anonymous:           132 kB
        7f00d0000000-7f00d0001000 r-xp 00000000 08:01 77 /opt/my dir/stratus
        Anonymous:             0 kB
        7ffd1a3f0000-7ffd1a3f2000 r-xp 00000000 00:00 0 [vdso]
        Anonymous:             0 kB
        """

    @Test("only the executable's clean code mappings are picked")
    func picksCleanCode() {
        let ranges = StartupCodePages.cleanCodeMappings(smaps: Self.sample, executable: "/opt/stratus/bin/stratus")
        #expect(ranges == [0x55d0c0a00000..<0x55d0c3b6e000])
        let spaced = StartupCodePages.cleanCodeMappings(smaps: Self.sample, executable: "/opt/my dir/stratus")
        #expect(spaced == [0x7f00d0000000..<0x7f00d0001000])
        let all = StartupCodePages.cleanCodeMappings(smaps: Self.sample)
        #expect(all == [0x55d0c0a00000..<0x55d0c3b6e000, 0x7f00a0000000..<0x7f00a0100000, 0x7f00d0000000..<0x7f00d0001000])
    }

    @Test("finds the test runner's own code in the real /proc/self/smaps")
    func readsRealSmaps() throws {
        let smaps = try String(contentsOfFile: "/proc/self/smaps", encoding: .utf8)
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let ranges = StartupCodePages.cleanCodeMappings(smaps: smaps, executable: executable)
        #expect(!ranges.isEmpty)
        #expect(ranges.allSatisfy { !$0.isEmpty })
    }
}
