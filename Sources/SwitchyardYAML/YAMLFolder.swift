public import Foundation

/// The one way a folder of YAML files people edit is read (rules, adapters): which files count,
/// in what order, how large they may be, and what is said when one cannot be read.
///
/// A file counts when its name ends in `.yaml` or `.yml` (any case), does not start with `.`
/// (editors' swap and backup files, `.DS_Store`) and it is a regular file directly in the
/// folder; files are read in name order. The server's folder watch looks at the same files.
public enum YAMLFolder {
    /// The largest file read: a rule or adapter file is text a person edits, and a larger one
    /// is a mistake or an attack (a file of many megabytes would be read into memory whole).
    public static let maximumFileBytes = 1 << 20

    /// One file's text, named as diagnostics name it: the folder's path as given, then the name.
    public struct File: Sendable {
        public var name: String
        public var path: String
        public var text: String
    }

    /// Whether `name` is a file the folder's reader reads.
    public static func counts(_ name: String) -> Bool {
        let lowercased = name.lowercased()
        return !name.hasPrefix(".") && (lowercased.hasSuffix(".yaml") || lowercased.hasSuffix(".yml"))
    }

    /// The names of the files that count in `directory`, in name order.
    public static func fileNames(in directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter(counts).filter { name in
            var isFolder: ObjCBool = false
            let path = directory.appendingPathComponent(name, isDirectory: false).path
            return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && !isFolder.boolValue
        }.sorted()
    }

    /// Reads every file that counts in `directory`. A file that is too large, unreadable or not
    /// UTF-8 gives a diagnostic and is left out; the others are read.
    ///
    /// - Throws: when the folder cannot be listed (missing, not a folder, no permission).
    public static func read(_ directory: URL) throws -> (files: [File], diagnostics: [Diagnostic]) {
        var files: [File] = []
        var diagnostics: [Diagnostic] = []
        for name in try fileNames(in: directory) {
            let url = directory.appendingPathComponent(name, isDirectory: false)
            let path = url.relativePath
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
            guard size <= maximumFileBytes else {
                diagnostics.append(Diagnostic(location: .file(path), message: tooLarge(size)))
                continue
            }
            do {
                let data = try Data(contentsOf: url)
                guard let text = String(validating: data, as: UTF8.self) else {
                    diagnostics.append(Diagnostic(location: .file(path), message: "not valid UTF-8 text; save the file as UTF-8"))
                    continue
                }
                files.append(File(name: name, path: path, text: text))
            } catch {
                diagnostics.append(Diagnostic(location: .file(path), message: "cannot read the file: \(error.localizedDescription)"))
            }
        }
        return (files, diagnostics)
    }

    static func tooLarge(_ bytes: Int) -> String {
        "the file is \(bytes) bytes; a file people edit may have at most \(maximumFileBytes) (1 MiB): split it into several files"
    }
}
