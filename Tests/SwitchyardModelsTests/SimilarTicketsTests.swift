import Foundation
import SwitchyardCore
import SwitchyardModels
import Testing

extension SerializedModelsTests {
    @Suite("Similar confirmed tickets as the prompt's examples")
    struct SimilarTicketsTests {
        typealias Server = FakeChatCompletionsServer

        static let confirmed = [
            SimilarTickets.Example(
                id: "t1", subject: "Card not arrived", body: "I ordered my new card two weeks ago and it still has not arrived.",
                department: "cards"),
            SimilarTickets.Example(
                id: "t2", subject: "", body: "Why was I charged an extra fee when I exchanged euros to dollars?", department: "fees_fx"),
            SimilarTickets.Example(
                id: "t3", subject: "Stolen", body: "My card was stolen and someone made payments I do not recognise.",
                department: "fraud_security"),
            SimilarTickets.Example(
                id: "t4", subject: "Where is my card", body: "My card has still not arrived, when will it be delivered?",
                department: "cards"),
        ]

        static func similar(_ examples: [SimilarTickets.Example] = confirmed) -> SimilarTickets {
            let similar = SimilarTickets(features: LinearTextClassifierTests.model)
            similar.replace(with: examples)
            return similar
        }

        static func ticket(_ body: String) -> Ticket { Ticket(externalID: "1", source: "generic", body: body) }

        @Test("the most alike confirmed tickets come first, as many as asked, none under the similarity floor")
        func nearest() {
            let similar = Self.similar()
            #expect(similar.count == 4)
            let cards = similar.nearest(to: Self.ticket("my card still has not arrived"), count: 2)
            #expect(cards.map(\.department) == ["cards", "cards"])
            #expect(Set(cards.map(\.id)) == ["t1", "t4"])
            #expect(similar.nearest(to: Self.ticket("I was charged a fee to exchange euros"), count: 1).map(\.id) == ["t2"])
            #expect(similar.nearest(to: Self.ticket("qwxz vbnm"), count: 3).isEmpty, "nothing alike: nothing shown")
            #expect(similar.nearest(to: Self.ticket("my card has not arrived"), count: 0).isEmpty)
            #expect(SimilarTickets(features: LinearTextClassifierTests.model).nearest(to: Self.ticket("card"), count: 3).isEmpty)
        }

        @Test("a refresh replaces the set: gone examples are never shown, a changed department counts, duplicates once")
        func replace() {
            let similar = Self.similar()
            var moved = Self.confirmed[0]
            moved.department = "fees_fx"
            similar.replace(with: [moved, moved, Self.confirmed[2]])
            #expect(similar.count == 2)
            let found = similar.nearest(to: Self.ticket("my card still has not arrived"), count: 3)
            #expect(found.map(\.id).first == "t1")
            #expect(found.first?.department == "fees_fx")
            #expect(!found.contains { $0.id == "t4" })
            similar.replace(with: [SimilarTickets.Example(id: "empty", subject: "", body: "", department: "cards")])
            #expect(similar.count == 0, "a text without features is never alike")
        }

        @Test("the prompt shows the examples redacted, bounded and only for configured departments; none without a set")
        func examplesInThePrompt() async throws {
            var personal = Self.confirmed[3]
            personal.body =
                "My card has still not arrived, when will it be delivered? Write to ana.souza@example.com, thanks, Ana Souza. "
                + String(repeating: "More detail. ", count: 200) + "END-MARK"
            personal.requesterName = "Ana Souza"
            let elsewhere = SimilarTickets.Example(
                id: "t5", subject: "Card not arrived", body: "My card has not arrived yet.", department: "lending")
            let similar = Self.similar([personal, elsewhere] + Self.confirmed)
            let ticket = Self.ticket("my card still has not arrived, when will it be delivered")
            let answer = #"{"department":"cards","confidence":0.9,"priority":"normal","tags":[]}"#
            try await Server.withServer(replying: [.completion(content: answer), .completion(content: answer)]) { server, baseURL in
                let classifier = try OpenAICompatibleClassifierTests.chatClassifier(
                    baseURL: baseURL, examples: 3, similarTickets: similar)
                _ = try await classifier.classify(ticket, departments: OpenAICompatibleClassifierTests.departments, deadline: .now + .seconds(5))
                let json = try #require(await server.requests.first).json
                let user = try #require((json["messages"] as? [[String: String]])?.last?["content"])
                #expect(user.contains("Earlier tickets like this one and the department agents confirmed"))
                let shown = user.split(separator: "\n").filter { $0.hasPrefix("- {") }
                #expect(shown.count == 2, "the two confirmed to cards; lending is not configured, the rest unlike it: \(user)")
                #expect(shown.allSatisfy { $0.hasSuffix("→ `cards`") }, "\(user)")
                #expect(!user.contains("ana.souza@example.com") && !user.contains("Ana Souza"), "\(user)")
                #expect(user.contains("<EMAIL_1>") && user.contains("<NAME_1>"), "\(user)")
                #expect(!user.contains("END-MARK") && user.contains(" […]"), "bounded: \(user)")
                #expect(user.hasSuffix(#"{"body":"my card still has not arrived, when will it be delivered"}"#), "the ticket comes last")

                let plain = try OpenAICompatibleClassifierTests.chatClassifier(baseURL: baseURL)
                _ = try await plain.classify(ticket, departments: OpenAICompatibleClassifierTests.departments, deadline: .now + .seconds(5))
                let second = try #require(await server.requests.last).json
                let plainUser = try #require((second["messages"] as? [[String: String]])?.last?["content"])
                #expect(!plainUser.contains("Earlier tickets"))
                #expect(plainUser.split(separator: "\n").count == 2, "no blank lines where the examples would be: \(plainUser)")
            }
        }
    }
}
