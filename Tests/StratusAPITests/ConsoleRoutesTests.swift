import Foundation
import HTTPTypes
import StratusAPI
import Testing

/// The web console's files as they are in the checkout (`Sources/StratusAPI/Console/web`).
private let webDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Sources/StratusAPI/Console/web")

private func filesOnDisk() throws -> [String: [UInt8]] {
    var files: [String: [UInt8]] = [:]
    let root = webDirectory.standardizedFileURL.path + "/"
    let enumerator = try #require(FileManager.default.enumerator(
        at: webDirectory, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]))
    for case let url as URL in enumerator where try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true {
        let path = url.standardizedFileURL.path
        files[String(path.dropFirst(root.count))] = Array(try Data(contentsOf: url))
    }
    return files
}

@Suite("Web console: /ui")
struct ConsoleRoutesTests {
    @Test func embeddedAssetsAreExactlyTheFilesOnDisk() throws {
        let disk = try filesOnDisk()
        #expect(disk.keys.contains("index.html"))
        #expect(ConsoleAssets.paths == disk.keys.sorted())
        for (path, bytes) in disk {
            #expect(ConsoleAssets.asset(at: path)?.bytes == bytes, "\(path) differs from the embedded copy: rebuild")
        }
    }

    @Test func uiRedirectsToTheDirectoryWithoutCredentials() async throws {
        try await withAPI { api, _ in
            let reply = try await api.get("/ui", user: nil)
            #expect(reply.status == .movedPermanently)
            #expect(reply.headers[.location]?.hasSuffix("/ui/") == true)
            let head = try await api.request(.head, "/ui", user: nil)
            #expect(head.status == .movedPermanently)
        }
    }

    @Test func indexIsServedWithoutCredentialsAsHTML() async throws {
        try await withAPI { api, _ in
            let reply = try await api.get("/ui/", user: nil)
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentType] == "text/html; charset=utf-8")
            #expect(reply.headers[.cacheControl] == "no-cache")
            #expect(reply.headers[.eTag] == ConsoleAssets.asset(at: "index.html")?.etag)
            #expect(reply.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            #expect(reply.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("script-src 'self'") == true)
            #expect(reply.bytes == (try filesOnDisk())["index.html"])
            #expect(reply.text.contains("js/app.js"))
        }
    }

    @Test(arguments: [
        ("js/app.js", "text/javascript; charset=utf-8"),
        ("js/chart.js", "text/javascript; charset=utf-8"),
        ("console.css", "text/css; charset=utf-8"),
        ("favicon.svg", "image/svg+xml"),
        ("index.html", "text/html; charset=utf-8"),
    ])
    func assetsAreServedWithTheirType(path: String, type: String) async throws {
        try await withAPI { api, _ in
            let reply = try await api.get("/ui/" + path, user: nil)
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentType] == type)
            #expect(reply.headers[.contentLength] == String(reply.bytes.count))
            #expect(reply.bytes == ConsoleAssets.asset(at: path)?.bytes)
        }
    }

    @Test(arguments: ["/ui/nope.js", "/ui/js/", "/ui/js", "/ui/js/../../Package.swift", "/ui/%2e%2e/Package.swift", "/ui/index.html/x"])
    func unknownAssetsAre404(path: String) async throws {
        try await withAPI { api, _ in
            let reply = try await api.get(path, user: nil)
            #expect(reply.status == .notFound)
            #expect(reply.headers[.contentType] == "application/json")
        }
    }

    @Test func matchingEntityTagAnswers304WithoutBody() async throws {
        try await withAPI { api, _ in
            let etag = try #require(ConsoleAssets.asset(at: "js/app.js")?.etag)
            for condition in [etag, "W/" + etag, "\"other\", " + etag, "*"] {
                let reply = try await api.request(.get, "/ui/js/app.js", user: nil, headers: [.ifNoneMatch: condition])
                #expect(reply.status == .notModified, "\(condition)")
                #expect(reply.bytes.isEmpty)
                #expect(reply.headers[.eTag] == etag)
            }
            let stale = try await api.request(.get, "/ui/js/app.js", user: nil, headers: [.ifNoneMatch: "\"stale\""])
            #expect(stale.status == .ok)
        }
    }

    @Test func headAnswersTheHeadersWithoutTheBody() async throws {
        try await withAPI { api, _ in
            let reply = try await api.request(.head, "/ui/console.css", user: nil)
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentType] == "text/css; charset=utf-8")
            #expect(reply.bytes.isEmpty)
        }
    }

    @Test func configTellsThePageTheAuthMode() async throws {
        try await withAPI { api, _ in
            let reply = try await api.get("/ui/config.json", user: nil)
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentType] == "application/json")
            #expect(reply.headers[.cacheControl] == "no-store")
            #expect(reply.json?["auth_mode"] == "basic")
        }
        try await withAPI(overrides: ["api.auth_mode=keystone"]) { api, _ in
            let config = try await api.get("/ui/config.json", user: nil)
            #expect(config.json?["auth_mode"] == "keystone")
            // The console itself needs no proxy headers; the API still does.
            let index = try await api.get("/ui/", user: nil)
            #expect(index.status == .ok)
            let metrics = try await api.get("/v1/metric", user: nil)
            #expect(metrics.status == .unauthorized)
        }
    }

    @Test func theAPIStillNeedsCredentials() async throws {
        try await withAPI { api, _ in
            let reply = try await api.get("/v1/metric", user: nil)
            #expect(reply.status == .unauthorized)
        }
    }

    @Test(arguments: [
        ("a.html", "text/html; charset=utf-8"), ("x/y.JS", "text/javascript; charset=utf-8"), ("s.css", "text/css; charset=utf-8"),
        ("i.png", "image/png"), ("d.json", "application/json"), ("README", "application/octet-stream"), ("f.bin", "application/octet-stream"),
    ])
    func contentTypeFollowsTheExtension(path: String, type: String) {
        #expect(ConsoleAsset.contentType(ofPath: path) == type)
    }
}
