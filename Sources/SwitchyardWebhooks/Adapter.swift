/// A platform adapter: verifies, decodes and answers one platform's webhooks, as its adapter
/// file describes.
///
/// An `Adapter` is an immutable value, safe to share between requests.
public struct Adapter: Sendable {
    public let name: String
    public let definition: AdapterDefinition

    public init(definition: AdapterDefinition) {
        self.name = definition.name
        self.definition = definition
    }

    /// Reads an adapter file's text. `file` names it in error messages.
    ///
    /// - Throws: ``AdapterLoadError`` listing every problem with its `file:line:column`.
    public init(yaml: String, file: String) throws(AdapterLoadError) {
        var parser = AdapterFileParser(file: file, text: yaml)
        guard let parsed = parser.parse() else {
            throw AdapterLoadError(diagnostics: parser.diagnostics)
        }
        self.init(definition: parsed.definition)
    }
}
