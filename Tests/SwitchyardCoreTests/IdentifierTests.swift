import Foundation
import SwitchyardCore
import Testing

@Suite("Identifiers")
struct IdentifierTests {
    struct FixedTime: TimeSource {
        var date: Date
        func now() -> Date { date }
    }

    @Test("ids are the prefix, an underscore and 26 Crockford base32 characters, time first")
    func shape() {
        let generator = RandomIdentifierGenerator(timeSource: FixedTime(date: Date(timeIntervalSince1970: 1_750_000_000)))
        let id = generator.next(prefix: "tkt")
        #expect(id.hasPrefix("tkt_"))
        let body = id.dropFirst(4)
        #expect(body.count == 26)
        #expect(body.allSatisfy { "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains($0) })
        // 1_750_000_000_000 ms in base32, ten characters, is the same for every id at that instant.
        #expect(body.prefix(10) == generator.next(prefix: "tkt").dropFirst(4).prefix(10))
    }

    @Test("later instants sort after earlier ones, and ids at one instant differ")
    func ordering() {
        let early = RandomIdentifierGenerator(timeSource: FixedTime(date: Date(timeIntervalSince1970: 1_750_000_000)))
        let late = RandomIdentifierGenerator(timeSource: FixedTime(date: Date(timeIntervalSince1970: 1_750_000_000.002)))
        #expect(early.next(prefix: "tkt") < late.next(prefix: "tkt"))
        let ids = Set((0..<1000).map { _ in early.next(prefix: "x") })
        #expect(ids.count == 1000)
    }
}
