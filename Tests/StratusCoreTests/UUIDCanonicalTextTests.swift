import Foundation
import StratusCore
import Testing

@Suite("UUID canonical text")
struct UUIDCanonicalTextTests {
    @Test("formats as Foundation's uuidString, lowercased, and parses back")
    func roundTrip() {
        for _ in 0..<2_000 {
            let id = UUID()
            #expect(id.lowercaseText == id.uuidString.lowercased())
            #expect(UUID(lowercaseText: id.lowercaseText) == id)
            #expect(UUID(lowercaseText: id.uuidString) == id)
            // The generic overload (substrings) agrees with the String one.
            #expect(UUID(lowercaseText: Substring("x" + id.uuidString).dropFirst()) == id)
        }
        let zero = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        #expect(zero.lowercaseText == "00000000-0000-0000-0000-000000000000")
        let ones = UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))
        #expect(ones.lowercaseText == "ffffffff-ffff-ffff-ffff-ffffffffffff")
    }

    @Test("refuses everything but the 36-character form", arguments: [
        "", "5a301761-f78b-46e2-8900-8b4f6fe6675", "5a301761-f78b-46e2-8900-8b4f6fe6675aa",
        "5a301761f78b46e289008b4f6fe6675a", "5a301761-f78b-46e2-8900_8b4f6fe6675a", "{5a301761-f78b-46e2-8900-8b4f6fe6675a}",
        "5a301761-f78b-46e2-8900-8b4f6fe6675g", "5a301761-f78b-46e2-89008-b4f6fe6675a", "5a301761-f78b-46e2-8900-8b4f6fe6675é",
    ])
    func refuses(_ text: String) {
        #expect(UUID(lowercaseText: text) == nil)
        #expect(UUID(lowercaseText: Substring(text)) == nil)
    }

    @Test("orders as the canonical texts do")
    func ordering() {
        let ids = (0..<500).map { _ in UUID() }
        let byBytes = ids.sorted { $0.isOrderedBefore($1) }
        let byText = ids.sorted { $0.lowercaseText < $1.lowercaseText }
        #expect(byBytes == byText)
        #expect(!ids[0].isOrderedBefore(ids[0]))
    }
}
