// Accuracy of a local LLM with and without examples of confirmed past tickets, on the sample
// data: Samples/tickets.csv (BANKING77's training split, by department) stands for the tickets
// agents confirmed, Samples/tickets-test.csv (its test split) for the new ones.
//
//   bash Benchmarks/examples.sh         (sets up and starts the local LLM server, then runs this)
//
// Each test ticket is asked twice, one call after the other, through the provider as the server
// builds it (LLMClassifier, the built-in prompt, the departments of Samples/switchyard.yaml):
// once without examples and once with EXAMPLES of the most similar training tickets (found by
// SimilarTickets with the embedded local model's features). Printed for each: accuracy (a
// failed call or an invalid answer counts as wrong), invalid answers, prompt tokens and latency;
// beside them, on the same tickets, the embedded local model alone and the department of the
// single most similar example (what the examples alone would say).
//
// Environment: BASE_URL (http://127.0.0.1:8000/v1), MODEL (gemma-3-270m), DIALECT
// (llama-cpp-python), TICKETS (60, spread evenly over the test file), EXAMPLES (3), TIMEOUT_S (120).

import AsyncHTTPClient
import Foundation
import Logging
import SwitchyardCore
import SwitchyardModels
import SwitchyardServer

let environment = ProcessInfo.processInfo.environment
let baseURL = environment["BASE_URL"] ?? "http://127.0.0.1:8000/v1"
let modelName = environment["MODEL"] ?? "gemma-3-270m"
let dialect = StructuredOutputDialect(rawValue: environment["DIALECT"] ?? "llama-cpp-python") ?? .llamaCppPython
let ticketCount = Int(environment["TICKETS"] ?? "") ?? 60
let exampleCount = Int(environment["EXAMPLES"] ?? "") ?? 3
let timeout = Duration.seconds(Int(environment["TIMEOUT_S"] ?? "") ?? 120)

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let samples = root.appendingPathComponent("Samples")
let departments = try Configuration.load(path: samples.appendingPathComponent("switchyard.yaml").path, environment: [:]).departments
let confirmed = try TrainingSet.loadCSV(samples.appendingPathComponent("tickets.csv"))
let test = try TrainingSet.loadCSV(samples.appendingPathComponent("tickets-test.csv"))
let stride = max(1, test.count / max(ticketCount, 1))
let asked = Array(test.enumerated().filter { $0.offset % stride == 0 }.map(\.element).prefix(ticketCount))

let trainingStart = ContinuousClock.now
let localModel = LinearTextClassifier.train(confirmed)
let similar = SimilarTickets(features: localModel)
similar.replace(
    with: confirmed.enumerated().map { SimilarTickets.Example(id: "train-\($0.offset)", subject: "", body: $0.element.text, department: $0.element.label) })
print("local model trained and \(similar.count) confirmed examples indexed in \((ContinuousClock.now - trainingStart).formatted(.units(allowed: [.seconds])))")

let httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
let logger = Logger(label: "examples-benchmark")

func classifier(examples: Int) -> LLMClassifier {
    LLMClassifier(
        configuration: .init(
            name: "local-llm", model: modelName, redactsPersonalData: false, timeouts: ProviderTimeouts(total: timeout),
            retry: RetryPolicy(maxRetries: 0), examples: examples),
        prompts: PromptBook(try! PromptTemplate(PromptTemplate.default)),
        wire: ChatCompletionsWireFormat(baseURL: baseURL, apiKey: nil, dialect: dialect, apiVersion: ChatCompletionsWireFormat.defaultAPIVersion),
        similarTickets: similar, httpClient: httpClient, logger: logger)
}

struct Tally {
    var correct = 0
    var invalid = 0
    var promptTokens: [Int] = []
    var latencies: [Double] = []

    mutating func add(_ result: Result<Classification, ClassificationFailure>, expected: DepartmentID, seconds: Double) {
        latencies.append(seconds)
        switch result {
        case .success(let classification):
            if classification.department == expected { correct += 1 }
            if let usage = classification.usage { promptTokens.append(usage.promptTokens) }
        case .failure:
            invalid += 1
        }
    }

    func row(_ name: String, of total: Int) -> String {
        let accuracy = String(format: "%5.1f %%", 100 * Double(correct) / Double(max(total, 1)))
        let tokens = promptTokens.isEmpty ? "-" : String(promptTokens.reduce(0, +) / promptTokens.count)
        let sorted = latencies.sorted()
        let p50 = sorted.isEmpty ? "-" : String(format: "%.2f s", sorted[sorted.count / 2])
        return name.padding(toLength: 34, withPad: " ", startingAt: 0)
            + accuracy.padding(toLength: 12, withPad: " ", startingAt: 0)
            + "\(invalid)".padding(toLength: 10, withPad: " ", startingAt: 0)
            + tokens.padding(toLength: 16, withPad: " ", startingAt: 0) + p50
    }
}

let without = classifier(examples: 0)
let with = classifier(examples: exampleCount)
var plain = Tally()
var shown = Tally()
var local = 0
var nearest = 0
let clock = ContinuousClock()
for (number, item) in asked.enumerated() {
    let ticket = Ticket(externalID: "test-\(number)", source: "benchmark", body: item.text)
    for (classifier, index) in [(without, 0), (with, 1)] {
        let start = clock.now
        let result: Result<Classification, ClassificationFailure>
        do {
            result = .success(try await classifier.classify(ticket, departments: departments, deadline: .now + timeout))
        } catch {
            result = .failure(error)
        }
        let seconds = Double((clock.now - start).components.attoseconds) / 1e18 + Double((clock.now - start).components.seconds)
        if index == 0 { plain.add(result, expected: item.label, seconds: seconds) } else { shown.add(result, expected: item.label, seconds: seconds) }
    }
    if localModel.probabilities(for: item.text).first?.label == item.label { local += 1 }
    if similar.nearest(to: ticket, count: 1).first?.department == item.label { nearest += 1 }
    if (number + 1) % 10 == 0 {
        FileHandle.standardError.write(Data("\(number + 1)/\(asked.count) tickets\n".utf8))
    }
}

print("\(asked.count) tickets of Samples/tickets-test.csv (every \(stride)th), \(modelName) at \(baseURL), dialect \(dialect.rawValue)")
print("configuration".padding(toLength: 34, withPad: " ", startingAt: 0) + "accuracy    invalid   prompt tokens   p50 latency")
print(plain.row("LLM, no examples", of: asked.count))
print(shown.row("LLM, \(exampleCount) examples", of: asked.count))
print("embedded local model alone".padding(toLength: 34, withPad: " ", startingAt: 0) + String(format: "%5.1f %%", 100 * Double(local) / Double(asked.count)))
print("most similar example's department".padding(toLength: 34, withPad: " ", startingAt: 0) + String(format: "%5.1f %%", 100 * Double(nearest) / Double(asked.count)))
try await httpClient.shutdown()
