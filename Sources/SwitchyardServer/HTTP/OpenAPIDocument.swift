import Foundation

/// The HTTP API's OpenAPI 3.1 document (`Resources/openapi.json`), served at `/openapi.json`.
enum OpenAPIDocument {
    /// The document's bytes; a missing resource stops the server at start.
    static func load() throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
            let data = try? Data(contentsOf: url)
        else {
            throw StartupError(
                "the OpenAPI document (Resources/openapi.json) is missing beside the binary: run the binary from its build folder")
        }
        return Array(data)
    }
}
