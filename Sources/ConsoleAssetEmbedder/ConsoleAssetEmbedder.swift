import Foundation

/// Build tool behind the `EmbedConsoleAssets` plugin: turns every file under a directory into one generated Swift
/// file, so the web console's assets are compiled into the binary (no runtime file lookup, no resource bundle).
///
/// Usage: `ConsoleAssetEmbedder <asset directory> <output .swift file> <type name>`.
/// Each file becomes a base64 string literal: exact bytes for any content, and one literal per file keeps the
/// compiler fast (a `[UInt8]` literal of 100,000 elements takes the type checker minutes).
@main
struct ConsoleAssetEmbedder {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func main() {
        do {
            try run(Array(CommandLine.arguments.dropFirst()))
        } catch {
            FileHandle.standardError.write(Data("ConsoleAssetEmbedder: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run(_ arguments: [String]) throws {
        guard arguments.count == 3 else {
            throw Failure(description: "usage: ConsoleAssetEmbedder <asset directory> <output .swift file> <type name>")
        }
        let root = URL(fileURLWithPath: arguments[0]).standardizedFileURL
        let output = URL(fileURLWithPath: arguments[1])
        let typeName = arguments[2]
        let files = try assetPaths(under: root)
        var text = """
            // Generated at build time by ConsoleAssetEmbedder (plugin EmbedConsoleAssets) from
            // \(root.lastPathComponent)/. Do not edit: edit the files there.

            extension \(typeName) {
                /// Every asset: its path relative to the asset directory and its bytes, base64-encoded.
                static let embedded: [(path: String, base64: String)] = [

            """
        for path in files {
            let data = try Data(contentsOf: root.appendingPathComponent(path))
            text += "        (\(literal(path)), \"\(data.base64EncodedString())\"),\n"
        }
        text += "    ]\n}\n"
        let bytes = Data(text.utf8)
        // Rewrite only on change, so an unchanged console does not recompile the target.
        if (try? Data(contentsOf: output)) != bytes {
            try FileManager.default.createDirectory(at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
            try bytes.write(to: output, options: .atomic)
        }
    }

    /// Regular files under `root`, relative, `/`-separated, sorted; hidden files (editor swap files, .DS_Store) skipped.
    static func assetPaths(under root: URL) throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(
            at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) else {
            throw Failure(description: "cannot list \(root.path)")
        }
        var paths: [String] = []
        let prefix = root.path.hasSuffix("/") ? root.path : root.path + "/"
        for case let url as URL in enumerator {
            guard try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else { continue }
            let path = url.standardizedFileURL.path
            guard path.hasPrefix(prefix) else { throw Failure(description: "\(path) is outside \(root.path)") }
            paths.append(String(path.dropFirst(prefix.count)))
        }
        return paths.sorted()
    }

    /// A Swift string literal for a path (paths are plain, but quote and backslash are escaped anyway).
    static func literal(_ value: String) -> String {
        "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
