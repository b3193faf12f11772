import Foundation
import SwitchyardCore
import SwitchyardModels
import Testing

extension SerializedModelsTests {
    @Suite("Embedded local model")
    struct LinearTextClassifierTests {
        /// Trained once for the suite on every 4th training row (debug builds are slow).
        static let model = LinearTextClassifier.train(try! Samples.load("tickets.csv", every: 4), options: fastOptions)
        static let fastOptions = TrainingOptions(maximumIterations: 60)

        @Test("beats 90 % department accuracy on held-out BANKING77 tickets")
        func accuracy() throws {
            let test = try Samples.load("tickets-test.csv", every: 8)
            let correct = test.filter { Self.model.probabilities(for: $0.text).first?.label == $0.label }.count
            let accuracy = Double(correct) / Double(test.count)
            #expect(accuracy >= 0.90, "accuracy \(accuracy) on \(test.count) tickets")
        }

        @Test("probabilities cover every label, sum to 1 and come most probable first")
        func probabilities() throws {
            let answer = Self.model.probabilities(for: "My card was charged twice for the same purchase")
            #expect(answer.map(\.label).sorted() == Self.model.labels)
            #expect(abs(answer.map(\.probability).reduce(0, +) - 1) < 1e-9)
            #expect(answer.map(\.probability) == answer.map(\.probability).sorted(by: >))
            #expect(Self.model.probabilities(for: "I still have not received my new card").first?.label == "cards")
        }

        @Test("training is deterministic: the same data gives the same bytes")
        func deterministic() throws {
            let examples = try Samples.load("tickets.csv", every: 20)
            let first = LinearTextClassifier.train(examples, options: Self.fastOptions).serialized()
            let second = LinearTextClassifier.train(examples, options: Self.fastOptions).serialized()
            #expect(first == second)
            var looser = Self.fastOptions
            looser.regularization /= 10
            #expect(LinearTextClassifier.train(examples, options: looser).serialized() != first)
        }

        @Test("calibrated probabilities: held-out tickets' cross-entropy is lower than without calibration, the winner the same")
        func calibrated() throws {
            let train = try Samples.load("tickets.csv", every: 8)
            let test = try Samples.load("tickets-test.csv", every: 8)
            var uncalibrated = Self.fastOptions
            uncalibrated.calibrationShare = 0
            let plain = LinearTextClassifier.train(train, options: uncalibrated)
            let calibrated = LinearTextClassifier.train(train, options: Self.fastOptions)
            #expect(plain.temperature == 1)
            #expect(calibrated.temperature != 1 && calibrated.temperature > 0.05 && calibrated.temperature < 20)
            func crossEntropy(_ model: LinearTextClassifier) -> Double {
                test.map { example in
                    -log(model.probabilities(for: example.text).first { $0.label == example.label }?.probability ?? 1e-12)
                }.reduce(0, +) / Double(test.count)
            }
            #expect(crossEntropy(calibrated) < crossEntropy(plain), "\(crossEntropy(calibrated)) against \(crossEntropy(plain))")
            let agree = test.filter { plain.probabilities(for: $0.text).first?.label == calibrated.probabilities(for: $0.text).first?.label }
            #expect(Double(agree.count) / Double(test.count) > 0.97, "the final fit starts from the calibration model, so nearly all agree")
            let restored = try LinearTextClassifier(serialized: calibrated.serialized())
            #expect(restored.temperature == calibrated.temperature)
        }

        @Test("a serialized model reads back with identical probabilities")
        func roundTrip() throws {
            let restored = try LinearTextClassifier(serialized: Self.model.serialized())
            #expect(restored == Self.model)
            for text in ["Why was I charged a fee for my transfer?", "Someone stole my phone", ""] {
                let original = Self.model.probabilities(for: text)
                let again = restored.probabilities(for: text)
                #expect(original.map(\.label) == again.map(\.label))
                #expect(original.map(\.probability) == again.map(\.probability))
            }
        }

        @Test("garbage, truncated and altered bytes are rejected with a reason")
        func rejectsGarbage() throws {
            let bytes = Self.model.serialized()
            let cases: [(Data, String)] = [
                (Data("definitely not a model".utf8), "missing the \"SYLM\" header"),
                (bytes.prefix(bytes.count / 2), "checksum mismatch"),
                ({ var altered = bytes; altered[100] ^= 0xFF; return altered }(), "checksum mismatch"),
                (Data(), "missing the \"SYLM\" header"),
            ]
            for (data, reason) in cases {
                #expect {
                    try LinearTextClassifier(serialized: data)
                } throws: { error in
                    (error as? LinearTextClassifier.SerializationError)?.reason.hasPrefix(reason) == true
                }
            }
        }

        @Test("the fingerprint changes with the data and the options, not with time")
        func fingerprint() {
            let examples = [LabeledText(text: "lost card", label: "cards"), LabeledText(text: "refund", label: "billing")]
            let fingerprint = LinearTextClassifier.fingerprint(of: examples, options: .init())
            #expect(fingerprint.count == 64 && fingerprint.allSatisfy(\.isHexDigit))
            #expect(LinearTextClassifier.fingerprint(of: examples, options: .init()) == fingerprint)
            #expect(LinearTextClassifier.fingerprint(of: examples.reversed(), options: .init()) != fingerprint)
            #expect(LinearTextClassifier.fingerprint(of: examples, options: .init(regularization: 3)) != fingerprint)
            // Field boundaries count: moving text between label and text changes the fingerprint.
            let shifted = [LabeledText(text: "ost card", label: "cardsl"), LabeledText(text: "refund", label: "billing")]
            #expect(LinearTextClassifier.fingerprint(of: shifted, options: .init()) != fingerprint)
        }

        @Test("a model trained on nothing answers nothing")
        func untrained() {
            let empty = LinearTextClassifier.train([])
            #expect(empty.labels.isEmpty)
            #expect(empty.probabilities(for: "anything").isEmpty)
        }
    }

    @Suite("Local model classifier")
    struct LocalModelClassifierTests {
        private static let classifier = LocalModelClassifier(model: LinearTextClassifierTests.model)
        private static let ticket = Ticket(externalID: "1", source: "generic", subject: "Card not arrived", body: "I ordered a card two weeks ago and it still has not arrived.")
        private static var deadline: ContinuousClock.Instant { .now + .seconds(5) }

        private static func catalog(_ ids: [DepartmentID]) -> DepartmentCatalog {
            DepartmentCatalog(ids.map { Department(id: $0, name: $0.rawValue, description: "") })
        }

        @Test("answers the most probable configured department with its probability as confidence")
        func answers() async throws {
            let classification = try await Self.classifier.classify(
                Self.ticket, departments: Self.catalog(LinearTextClassifierTests.model.labels), deadline: Self.deadline)
            let best = try #require(LinearTextClassifierTests.model.probabilities(for: Self.ticket.text).first)
            #expect(classification.department == "cards")
            #expect(classification.confidence == best.probability)
            #expect(classification.classifier == "local/linear")
            #expect(Self.classifier.name == "local/linear")
        }

        @Test("a department that is no longer configured is an unknown department")
        func unknownDepartment() async {
            let others = LinearTextClassifierTests.model.labels.filter { $0 != "cards" }
            await #expect(throws: ClassificationFailure.unknownDepartment("cards")) {
                try await Self.classifier.classify(Self.ticket, departments: Self.catalog(others), deadline: Self.deadline)
            }
        }

        @Test("a model trained on finer labels answers departments: each label counts for the department it stands for")
        func labelsGrouped() async throws {
            let texts: [(String, DepartmentID)] = [
                ("my new card has not arrived", "Card_arrival"), ("when will my card arrive", "Card_arrival"),
                ("card still not delivered", "Card_arrival"), ("how do I link my card to the app", "card_linking"),
                ("link an existing card", "card_linking"), ("connect my card to my account", "card_linking"),
                ("my refund is not showing", "Refund_not_showing_up"), ("refund missing from my statement", "Refund_not_showing_up"),
                ("where is my refund", "Refund_not_showing_up"),
            ]
            let model = LinearTextClassifier.train(texts.map { LabeledText(text: $0.0, label: $0.1) }, options: LinearTextClassifierTests.fastOptions)
            let classifier = LocalModelClassifier(model: model)
            let departments = DepartmentCatalog([
                Department(id: "cards", name: "Cards", description: "", labels: ["Card_arrival", "card_linking"]),
                Department(id: "refund_not_showing_up", name: "Refunds", description: ""),
            ])
            let text = "my card has not arrived yet"
            let labels = Dictionary(uniqueKeysWithValues: model.probabilities(for: text).map { ($0.label, $0.probability) })
            let grouped = classifier.departmentProbabilities(for: text, departments: departments)
            #expect(grouped.map(\.department) == ["cards", "refund_not_showing_up"])
            #expect(abs(grouped[0].probability - (labels["Card_arrival"]! + labels["card_linking"]!)) < 1e-12)
            let ticket = Ticket(externalID: "1", source: "generic", body: text)
            let classification = try await classifier.classify(ticket, departments: departments, deadline: Self.deadline)
            #expect(classification.department == "cards" && classification.confidence == grouped[0].probability)
            let refund = Ticket(externalID: "2", source: "generic", body: "my refund is still not showing")
            #expect(try await classifier.classify(refund, departments: departments, deadline: Self.deadline).department == "refund_not_showing_up")
            // Without the mapping the labels keep their own names: not departments.
            await #expect(throws: ClassificationFailure.unknownDepartment("Card_arrival")) {
                try await classifier.classify(ticket, departments: Self.catalog(["cards"]), deadline: Self.deadline)
            }
        }

        @Test("an untrained model is unavailable")
        func untrained() async {
            let classifier = LocalModelClassifier(model: .train([]))
            await #expect(throws: ClassificationFailure.unavailable("the local model was trained on no examples")) {
                try await classifier.classify(Self.ticket, departments: Self.catalog(["cards"]), deadline: Self.deadline)
            }
        }
    }
}
