import Foundation
import SwitchyardModels
import Testing

extension SerializedModelsTests {
    @Suite("Training set CSV")
    struct TrainingSetTests {
        private func parse(_ csv: String) throws(TrainingSetError) -> [LabeledText] {
            try TrainingSet.parseCSV(Data(csv.utf8), file: "tickets.csv")
        }

        private func problem(in csv: String) -> TrainingSetError? {
            do {
                _ = try parse(csv)
                return nil
            } catch {
                return error
            }
        }

        @Test("reads plain rows with the columns in any order and extra columns ignored")
        func columnsInAnyOrder() throws {
            let examples = try parse("id,department,text\n1,cards,my card is lost\n2,billing,refund please\n")
            #expect(examples == [
                LabeledText(text: "my card is lost", label: "cards"),
                LabeledText(text: "refund please", label: "billing"),
            ])
        }

        @Test("examples written as CSV read back the same, under the columns they were written with")
        func writtenAndRead() throws {
            let examples = [
                LabeledText(text: "He said \"refund\", twice,\nthen left", label: "Refund_not_showing_up"),
                LabeledText(text: "plain", label: "cards"),
            ]
            let csv = TrainingSet.csv(examples, textColumn: "utterance", labelColumn: "intent")
            #expect(try TrainingSet.parseCSV(csv, file: "x.csv", textColumn: "utterance", labelColumn: "intent") == examples)
            #expect(try parse(String(decoding: TrainingSet.csv(examples), as: UTF8.self)) == examples)
        }

        @Test("quoted fields keep commas, escaped quotes and line breaks")
        func quotedFields() throws {
            let csv = "text,department\n\"lost, stolen or \"\"missing\"\" card\",cards\n\"line one\nline two\",fees\n"
            let examples = try parse(csv)
            #expect(examples.map(\.text) == ["lost, stolen or \"missing\" card", "line one\nline two"])
            #expect(examples.map(\.label) == ["cards", "fees"])
        }

        @Test("CRLF line ends, a byte order mark, blank lines and a missing final line break are accepted")
        func crlfAndBOM() throws {
            let csv = "\u{FEFF}Text,Department\r\n\"two\r\nlines\",cards\r\n\r\nlast row,fees"
            let examples = try parse(csv)
            #expect(examples == [
                LabeledText(text: "two\r\nlines", label: "cards"),
                LabeledText(text: "last row", label: "fees"),
            ])
        }

        @Test("a missing column is named with the header's line")
        func missingColumn() {
            let error = problem(in: "text,team\nmy card,cards\n")
            #expect(error == TrainingSetError(file: "tickets.csv", line: 1, problem: .missingColumn("department")))
            #expect(error?.description.hasPrefix("tickets.csv:1: the header has no `department` column") == true)
        }

        @Test("a wrong field count names the line the record starts on")
        func wrongFieldCount() {
            let error = problem(in: "text,department\n\"multi\nline\",cards\ntoo,many,fields\n")
            #expect(error == TrainingSetError(file: "tickets.csv", line: 4, problem: .wrongFieldCount(expected: 2, found: 3)))
        }

        @Test("an empty department is rejected with its line")
        func emptyLabel() {
            #expect(problem(in: "text,department\nfine,cards\nno label,  \n")
                == TrainingSetError(file: "tickets.csv", line: 3, problem: .emptyLabel))
        }

        @Test("quote errors give line and column")
        func quoteErrors() {
            #expect(problem(in: "text,department\nsay \"hi\",cards\n")
                == TrainingSetError(file: "tickets.csv", line: 2, column: 5, problem: .unexpectedQuote))
            #expect(problem(in: "text,department\n\"closed\" late,cards\n")
                == TrainingSetError(file: "tickets.csv", line: 2, column: 9, problem: .textAfterClosingQuote))
            #expect(problem(in: "text,department\nok,cards\n\"never closed,cards\n")
                == TrainingSetError(file: "tickets.csv", line: 3, column: 1, problem: .unterminatedQuote))
        }

        @Test("an empty file has no header")
        func emptyFile() {
            #expect(problem(in: "") == TrainingSetError(file: "tickets.csv", line: 1, problem: .missingHeader))
        }

        @Test("loadCSV reads a file and names it in errors")
        func loadFile() throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let file = folder.appendingPathComponent("corrections.csv")
            try Data("text,department\nwhere is my card,cards\n".utf8).write(to: file)

            #expect(try TrainingSet.loadCSV(file) == [LabeledText(text: "where is my card", label: "cards")])

            let missing = folder.appendingPathComponent("missing.csv")
            #expect {
                try TrainingSet.loadCSV(missing)
            } throws: { error in
                guard let error = error as? TrainingSetError, case .unreadable = error.problem else { return false }
                return error.file == "missing.csv"
            }
        }

        @Test("the bundled BANKING77 samples load")
        func samplesLoad() throws {
            let examples = try TrainingSet.loadCSV(Samples.url("tickets.csv"))
            #expect(examples.count == 10_003)
            #expect(Set(examples.map(\.label)).count == 8)
        }
    }
}
