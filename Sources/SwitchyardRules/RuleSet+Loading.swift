public import Foundation
public import SwitchyardCore
import SwitchyardYAML

extension RuleSet {
    /// Loads every `*.yaml` and `*.yml` file directly in `directory` (not in subfolders,
    /// hidden files skipped, at most 1 MiB each: ``YAMLFolder``), in name order.
    ///
    /// An empty directory gives an empty rule set. Files are named in diagnostics by
    /// `directory`'s path as given plus the file name, for example `Rules/10-security.yaml`.
    ///
    /// - Throws: ``RuleLoadError`` with every problem in every file, or with one problem
    ///   when the directory is missing or unreadable.
    public static func load(
        directory: URL, departments: DepartmentCatalog, limits: MatchLimits = MatchLimits()
    ) throws(RuleLoadError) -> RuleSet {
        let directoryName = directory.relativePath
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            throw RuleLoadError(diagnostics: [
                Diagnostic(
                    location: .file(directoryName),
                    message: "rule directory not found; create it (it may be empty) or configure the right path"
                )
            ])
        }
        let folder: (files: [YAMLFolder.File], diagnostics: [Diagnostic])
        do {
            folder = try YAMLFolder.read(directory)
        } catch {
            throw RuleLoadError(diagnostics: [
                Diagnostic(location: .file(directoryName), message: "cannot list the rule directory: \(error)")
            ])
        }
        let sources = folder.files.map { (file: $0.path, text: $0.text) }
        let diagnostics = folder.diagnostics
        return try compile(sources, departments: departments, limits: limits, diagnostics: diagnostics)
    }

    /// Parses the text of one rule file. `file` names the file in diagnostics and in
    /// ``files``, and its last path component goes into ``version``, as with ``load``.
    ///
    /// - Throws: ``RuleLoadError`` with every problem in the text.
    public static func parse(
        _ yaml: String, file: String, departments: DepartmentCatalog, limits: MatchLimits = MatchLimits()
    ) throws(RuleLoadError) -> RuleSet {
        try compile([(file, yaml)], departments: departments, limits: limits)
    }

    /// Parses each file, then checks what spans files (unique ids); throws if any file had
    /// a problem.
    private static func compile(
        _ sources: [(file: String, text: String)],
        departments: DepartmentCatalog,
        limits: MatchLimits,
        diagnostics: [Diagnostic] = []
    ) throws(RuleLoadError) -> RuleSet {
        var diagnostics = diagnostics
        var rules: [Rule] = []
        var firstLocations: [String: SourceLocation] = [:]
        var version = RuleSetVersion()
        var warnings: [Diagnostic] = []

        for source in sources {
            version.add(file: source.file, text: source.text)
            var parser = RuleFileParser(file: source.file, text: source.text, departments: departments, limits: limits)
            for parsed in parser.parse() {
                if let first = firstLocations[parsed.rule.id] {
                    diagnostics.append(
                        Diagnostic(
                            location: parsed.idLocation,
                            message: "duplicate rule id \"\(parsed.rule.id)\", first defined at \(first); "
                                + "rule ids must be unique across all rule files"
                        )
                    )
                    continue
                }
                firstLocations[parsed.rule.id] = parsed.idLocation
                rules.append(parsed.rule)
            }
            diagnostics += parser.diagnostics
            warnings += parser.warnings
        }
        guard diagnostics.isEmpty else {
            throw RuleLoadError(diagnostics: diagnostics.sorted { $0.location < $1.location })
        }
        // Higher precedence first; the sort is stable, so equal ones keep file and file order.
        let ordered = rules.enumerated().sorted {
            ($0.element.precedence, -$0.offset) > ($1.element.precedence, -$1.offset)
        }.map(\.element)
        return RuleSet(rules: ordered, version: version.finalize(), files: sources.map(\.file), warnings: warnings.sorted())
    }
}
