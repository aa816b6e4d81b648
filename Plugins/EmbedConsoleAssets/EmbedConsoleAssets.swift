import Foundation
import PackagePlugin

/// Build-tool plugin of `StratusAPI`: embeds `Console/web/**` (the web console's HTML, CSS and JavaScript) into a
/// generated Swift file, so the `stratus` binary serves `/ui/` with no files beside it.
@main
struct EmbedConsoleAssets: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        let web = target.directoryURL.appending(path: "Console").appending(path: "web")
        let output = context.pluginWorkDirectoryURL.appending(path: "ConsoleAssets+Embedded.swift")
        return [
            .buildCommand(
                displayName: "Embedding web console assets of \(target.name)",
                executable: try context.tool(named: "ConsoleAssetEmbedder").url,
                arguments: [web.path, output.path, "ConsoleAssets"],
                inputFiles: try files(under: web),
                outputFiles: [output]),
        ]
    }

    /// Every regular file under `directory`, so editing, adding or removing an asset re-runs the embedder.
    private func files(under directory: URL) throws -> [URL] {
        guard let enumerator = FileManager.default.enumerator(
            at: directory, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) else {
            return []
        }
        var urls: [URL] = []
        for case let url as URL in enumerator where try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true {
            urls.append(url)
        }
        return urls
    }
}
