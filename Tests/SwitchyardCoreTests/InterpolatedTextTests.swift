import SwitchyardCore
import Testing

@Suite("${…} substitution")
struct InterpolatedTextTests {
    static func render(_ text: String, _ values: [String: String]) throws -> String {
        try InterpolatedText(parsing: text).rendered { values[$0.name] } missing: { "<\($0.name)?>" }
    }

    @Test("references, fallbacks, $$ and a lone $")
    func rendering() throws {
        #expect(try Self.render("order-${1}", ["1": "42"]) == "order-42")
        #expect(try Self.render("${a}${b}", ["a": "x", "b": "y"]) == "xy")
        #expect(try Self.render("${missing:-none}", [:]) == "none")
        #expect(try Self.render("${missing:-}", [:]) == "")
        #expect(try Self.render("${missing}", [:]) == "<missing?>")
        #expect(try Self.render("$$${a} costs $5 $", ["a": "tea"]) == "$tea costs $5 $")
        #expect(try Self.render("plain", [:]) == "plain")
        #expect(try InterpolatedText(parsing: "a${b:-c}d").references == [.init(name: "b", fallback: "c", offset: 1)])
        #expect(try InterpolatedText(parsing: "é$${x}").isLiteral, "$$ escapes the reference")
    }

    @Test("an unterminated or empty reference is an error at its character")
    func errors() {
        #expect(throws: InterpolatedText.SyntaxError(offset: 3, message: "unterminated ${ (no closing })")) {
            try InterpolatedText(parsing: "ab ${name")
        }
        #expect(
            throws: InterpolatedText.SyntaxError(
                offset: 2, message: "empty reference ${} (write a name between the braces, or $$ for a literal $)")
        ) {
            try InterpolatedText(parsing: "ü ${}")
        }
    }
}
