public import Foundation
import SwitchyardYAML

/// The adapters of a deployment, by name, as loaded from the adapter directory (`Webhooks/`).
public struct AdapterRegistry: Sendable {
    private let adapters: [String: Adapter]

    /// A registry of the given adapters; a later adapter with the same name replaces an earlier one.
    public init(_ adapters: [Adapter]) {
        self.adapters = Dictionary(adapters.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// The adapter with this name, for example `zendesk`.
    public subscript(name: String) -> Adapter? { adapters[name] }

    /// The adapters' names, sorted.
    public var names: [String] { adapters.keys.sorted() }

    /// Loads every `*.yaml` and `*.yml` file in `directory`.
    ///
    /// - Throws: ``AdapterLoadError`` with every problem of every file (unreadable file, YAML
    ///   syntax, unknown key, bad value, two files with the same adapter name), each with its
    ///   `file:line:column`; or when the directory holds no adapter file.
    public static func load(directory: URL) throws(AdapterLoadError) -> AdapterRegistry {
        let folder: (files: [YAMLFolder.File], diagnostics: [Diagnostic])
        do {
            folder = try YAMLFolder.read(directory)
        } catch {
            throw AdapterLoadError(diagnostics: [
                Diagnostic(
                    location: .file(directory.path),
                    message: "cannot list the adapter directory: \(error.localizedDescription)")
            ])
        }
        guard !folder.files.isEmpty || !folder.diagnostics.isEmpty else {
            throw AdapterLoadError(diagnostics: [
                Diagnostic(location: .file(directory.path), message: "no adapter files (*.yaml) in the adapter directory")
            ])
        }

        var diagnostics = folder.diagnostics
        var adapters: [Adapter] = []
        var firstFileByName: [String: String] = [:]
        for file in folder.files {
            let path = file.path
            let yaml = file.text
            var parser = AdapterFileParser(file: path, text: yaml)
            guard let parsed = parser.parse() else {
                diagnostics += parser.diagnostics
                continue
            }
            let name = parsed.definition.name
            if let first = firstFileByName[name] {
                diagnostics.append(
                    Diagnostic(
                        location: parsed.nameLocation,
                        message: "adapter \"\(name)\" is already defined in \(first); give each adapter file its own name"))
                continue
            }
            firstFileByName[name] = path
            adapters.append(Adapter(definition: parsed.definition))
        }
        guard diagnostics.isEmpty else { throw AdapterLoadError(diagnostics: diagnostics) }
        return AdapterRegistry(adapters)
    }
}
