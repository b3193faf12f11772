/// One event of a `text/event-stream` response (the WHATWG HTML standard's server-sent
/// events): its `event:` name, or `message` when it has none, and its `data:` lines joined by
/// newlines.
public struct ServerSentEvent: Sendable, Hashable {
    public var name: String
    public var data: String

    public init(name: String = "message", data: String) {
        self.name = name
        self.data = data
    }
}

/// Reads server-sent events from a response body as its chunks arrive, a chunk boundary
/// anywhere (inside a line, between `\r` and `\n`).
///
/// Lines end with `\n`, `\r\n` or `\r`; a blank line ends an event; `:` lines are comments
/// (keep-alives); a field's value loses one leading space. A line longer than
/// ``maximumLineBytes`` is an error: no model answer needs one, and a hostile stream must not
/// grow the buffer without end.
public struct ServerSentEventParser: Sendable {
    public struct LineTooLong: Error, Sendable {}

    /// Longest line kept; a classification's whole answer is a few hundred bytes.
    public static let maximumLineBytes = 1 << 20

    private var line: [UInt8] = []
    private var name = ""
    private var data: [UInt8] = []
    private var hasData = false
    /// The previous chunk ended with `\r`: a `\n` opening this one belongs to it.
    private var afterCarriageReturn = false

    public init() {}

    /// The events that `bytes` completes, in order.
    public mutating func consume(_ bytes: some Sequence<UInt8>) throws(LineTooLong) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if afterCarriageReturn {
                afterCarriageReturn = false
                if byte == 0x0A { continue }
            }
            switch byte {
            case 0x0A, 0x0D:
                afterCarriageReturn = byte == 0x0D
                if let event = endLine() { events.append(event) }
            default:
                guard line.count < Self.maximumLineBytes else { throw LineTooLong() }
                line.append(byte)
            }
        }
        return events
    }

    /// Handles the line just ended; returns the event a blank line dispatches.
    private mutating func endLine() -> ServerSentEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        guard !line.isEmpty else {
            defer {
                name = ""
                data.removeAll(keepingCapacity: true)
                hasData = false
            }
            guard hasData else { return nil }
            return ServerSentEvent(name: name.isEmpty ? "message" : name, data: String(decoding: data, as: UTF8.self))
        }
        if line.first == UInt8(ascii: ":") { return nil }
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
        let field = line[..<colon]
        var value = colon < line.endIndex ? line[(colon + 1)...] : []
        if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        if field.elementsEqual("data".utf8) {
            if hasData { data.append(0x0A) }
            data.append(contentsOf: value)
            hasData = true
        } else if field.elementsEqual("event".utf8) {
            name = String(decoding: value, as: UTF8.self)
        }
        // `id` and `retry` concern reconnecting, which a model call never does.
        return nil
    }
}
