import Foundation
import StratusIndex
import Testing

@Suite struct ResourceIdentifierTests {
    /// Values from Python: `uuid.uuid5(uuid.UUID("0a7a15ff-aa13-4ac2-897c-9bdf30ce175b"), "foo\x00bar")` etc.
    @Test func nonUUIDIdsAreUUID5PerCreator() throws {
        #expect(ResourceIdentifier.uuid5(namespace: ResourceIdentifier.namespace, name: "foo\u{0}bar").uuidString.lowercased()
            == "ba571521-1de6-5aff-b183-1535fd6eb5d0")
        #expect(try ResourceIdentifier.uuid("vm-1", creator: "alice").uuidString.lowercased() == "2e9b700e-f666-5bc7-8de6-9ddd8a4b4085")
        let a = try ResourceIdentifier.uuid("vm-1", creator: "alice")
        let b = try ResourceIdentifier.uuid("vm-1", creator: "bob")
        #expect(a != b)
        #expect(try ResourceIdentifier.uuid("vm-1", creator: "alice") == a)
        #expect(a.uuidString.lowercased().dropFirst(14).first == "5")
    }

    @Test func uuidTextIsKept() throws {
        let id = UUID()
        #expect(try ResourceIdentifier.uuid(id.uuidString, creator: "x") == id)
        #expect(try ResourceIdentifier.uuid(id.uuidString.replacingOccurrences(of: "-", with: ""), creator: "x") == id)
        // Python's uuid.UUID() forms: urn prefix, braces, hyphens anywhere, either case.
        let text = id.uuidString.lowercased()
        for form in ["urn:uuid:" + text, "{" + text + "}", "uuid:" + text.uppercased(), text.replacingOccurrences(of: "-", with: "--")] {
            #expect(ResourceIdentifier.parseUUID(form) == id, "\(form)")
        }
        // Not UUIDs: ids made of a UUID and more.
        for other in [text + "-vda", "instance-0-" + text + "-tap0", text.dropLast() + "g", "vda"] {
            #expect(ResourceIdentifier.parseUUID(other) == nil, "\(other)")
        }
    }

    @Test func slashesAndLongIdsAreRefused() {
        #expect(throws: ResourceIdentifier.Failure.slash) { try ResourceIdentifier.uuid("a/b", creator: nil) }
        #expect(throws: ResourceIdentifier.Failure.tooLong) {
            try ResourceIdentifier.uuid(String(repeating: "x", count: 290), creator: nil)
        }
        #expect((try? ResourceIdentifier.uuid(String(repeating: "x", count: 289), creator: nil)) != nil)
    }

    @Test func sha1MatchesKnownDigests() {
        #expect(SHA1.hexDigest(Array("abc".utf8)) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(SHA1.hexDigest([UInt8]()) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(SHA1.hexDigest(Array(String(repeating: "a", count: 1000).utf8)) == "291e9a6c66994949b57ba5e650361e98fc36b1ba")
    }
}
