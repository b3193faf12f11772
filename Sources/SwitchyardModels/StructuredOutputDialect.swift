/// How an OpenAI-compatible chat completions server is asked to answer in the classification
/// schema. "Compatible" servers differ exactly there: llama-cpp-python's server answers `500`
/// to OpenAI's `json_schema` format, vLLM dropped its `guided_json` field, and a router may
/// offer no schema at all. Whatever the server promises, the answer is validated in code.
public enum StructuredOutputDialect: String, Sendable, Hashable, CaseIterable {
    /// OpenAI: `response_format: {type: json_schema, json_schema: {name, strict: true, schema}}`.
    case openai
    /// Azure OpenAI: OpenAI's format, at a deployment URL with `api-version`, the key in `api-key`.
    case azure
    /// Ollama: `format: <schema>`, and OpenAI's `response_format`, which its OpenAI-compatible
    /// endpoint reads.
    case ollama
    /// llama.cpp's `llama-server`: `json_schema: <schema>`.
    case llamaServer = "llama-server"
    /// llama-cpp-python's server: `response_format: {type: json_object, schema}`.
    case llamaCppPython = "llama-cpp-python"
    /// vLLM: `structured_outputs: {json: <schema>}`.
    case vllm
    /// Any other server (OpenRouter, …): `response_format: {type: json_object}`, and the
    /// schema in the instructions only.
    case json

    /// Whether the instructions go in a system message by default. llama-cpp-python's chat
    /// formats for models without a system role (gemma) drop it silently, so there they go
    /// at the top of the user message.
    public var sendsSystemMessage: Bool { self != .llamaCppPython }
}
